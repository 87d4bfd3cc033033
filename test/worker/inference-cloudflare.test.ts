/**
 * `/inference/cloudflare`: Workers AI chat through the AI interface, with the Workers AI stand-in
 * answering `fetch` (support/fake-workers-ai.ts). Listed models only (another id is a free 400),
 * OpenAI's chat-completion shape in JSON and as server-sent events, the tokens' cost at
 * Cloudflare's prices recorded against the payment, and a Workers AI failure owed.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectFreeRejection, ledgerRows, testApp } from './support/app';
import { type FakeWorkersAi, fakeWorkersAi } from './support/fake-workers-ai';
import { ask, INFERENCE_ENV, payInference, sseData, usageRow } from './support/inference-requests';

const CHAT = '/inference/cloudflare/chat';
const MODEL = '@cf/meta/llama-3.1-8b-instruct';
const QUESTION = { model: MODEL, messages: [{ role: 'user', content: 'What is x402?' }] };
// The stand-in answers its model's name and the last user message: 7 words, 7 tokens; the
// prompt counts its words, 3.
const REPLY = 'Stand-in answer from llama-3.1-8b-instruct: What is x402?';

let ai: FakeWorkersAi;
beforeEach(() => {
  ai = fakeWorkersAi();
});
afterEach(() => ai.restore());

describe('GET /inference/cloudflare/models', () => {
  it('lists the models sold, their context and upstream prices, and the price of a call', async () => {
    const app = testApp();
    const res = await app.request('/inference/cloudflare/models');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      provider: 'cloudflare',
      price: {
        tier: 'standard',
        perCall: { STX: '1000', sBTC: '2', USDCx: '1000' },
        defaultMaxTokens: 256,
        maxTokens: 1024,
      },
      models: [
        {
          id: '@cf/meta/llama-3.1-8b-instruct',
          name: 'Meta Llama 3.1 8B Instruct',
          contextLength: 7968,
          upstreamPricing: { prompt: '0.000000282', completion: '0.000000827' },
        },
        {
          id: '@cf/meta/llama-3.2-3b-instruct',
          name: 'Meta Llama 3.2 3B Instruct',
          contextLength: 128000,
          upstreamPricing: { prompt: '0.000000051', completion: '0.000000335' },
        },
      ],
    });
  });
});

describe('POST /inference/cloudflare/chat', () => {
  it('answers a chat.completion and records the tokens at Cloudflare’s prices', async () => {
    const app = testApp();
    const { res, paymentId } = await payInference(app, CHAT, QUESTION);
    expect(res.status).toBe(200);
    // 3 × 0.000000282 + 7 × 0.000000827 = 0.000000846 + 0.000005789 = 0.000006635 USD.
    expect(res.headers.get('x-inference-cost-usd')).toBe('0.000006635');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{24}$/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: REPLY },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10, cost: 0.000006635 },
    });
    expect(ai.runs).toEqual([
      { model: MODEL, inputs: { messages: QUESTION.messages, max_tokens: 256 } },
    ]);
    // Paid 1000 µSTX at 0.6 USD: 0.0006 USD. Actual 0.000006635 / 0.6 × 10^6 = 11.058… → 12 µSTX.
    expect(await usageRow(paymentId)).toMatchObject({
      provider: 'cloudflare',
      model: MODEL,
      streamed: 0,
      max_tokens: 256,
      estimated_prompt_tokens: 12,
      prompt_tokens: 3,
      completion_tokens: 7,
      quoted_usd: '0.0006',
      actual_usd: '0.000006635',
      actual_amount: '12',
      outcome: 'completed',
    });
  });

  it('streams chat.completion.chunks as Workers AI sends them, then the usage and [DONE]', async () => {
    const app = testApp();
    const ctx = createExecutionContext();
    const { res, paymentId } = await payInference(
      app,
      CHAT,
      { ...QUESTION, stream: true, max_tokens: 7 },
      { ctx },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseData(await res.text());
    await waitOnExecutionContext(ctx);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    const pieces = chunks.slice(0, 7);
    expect(pieces[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Stand-in' });
    expect(pieces.map((c) => c.choices[0].delta.content).join('')).toBe(REPLY);
    expect(chunks[7]).toMatchObject({
      object: 'chat.completion.chunk',
      model: MODEL,
      choices: [{ index: 0, delta: {}, finish_reason: 'length' }],
    });
    expect(chunks[8]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10, cost: 0.000006635 },
    });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(await usageRow(paymentId)).toMatchObject({
      streamed: 1,
      outcome: 'completed',
      actual_usd: '0.000006635',
    });
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: null });
  });

  it('refuses a model that is not listed, before the 402', async () => {
    const app = testApp();
    const res = await ask(app, CHAT, { ...QUESTION, model: '@cf/meta/llama-2-7b-chat-fp16' });
    await expectFreeRejection(app, res, 'invalid_model');
    expect(ai.runs).toEqual([]);
  });

  it('refuses a prompt that does not fit the model’s context, before the 402', async () => {
    const app = testApp();
    // 24,000 bytes are 8,000 estimated tokens: more than 7,968 with any max_tokens.
    const res = await ask(app, CHAT, {
      model: MODEL,
      messages: [{ role: 'user', content: 'x'.repeat(24_000) }],
    });
    await expectFreeRejection(app, res, 'context_length_exceeded');
  });

  it('records a Workers AI failure after settlement as owed, with retry-after', async () => {
    const app = testApp();
    ai.faults.arm({ kind: 'http-error', status: 429 });
    const { res, paymentId } = await payInference(app, CHAT, QUESTION);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'ai_unavailable' });
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: '1000' });
    expect(await usageRow(paymentId)).toMatchObject({ outcome: 'failed', actual_usd: null });
  });
});

describe('the standard price covers the worst case, or the request is refused before the 402', () => {
  // The standard price in USD every token covers: min(1000 µSTX × 0.6, 2 sats × 100000,
  // 1000 µUSDCx × 1) = min(0.0006, 0.002, 0.001) = 0.0006 USD.
  const LLAMA_3B = '@cf/meta/llama-3.2-3b-instruct';

  async function expectExceedsTier(app: ReturnType<typeof testApp>, body: unknown) {
    const res = await ask(app, CHAT, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('payment-required')).toBeNull();
    expect(app.settler.settled).toHaveLength(0);
    expect(ai.runs).toEqual([]);
    return res.json();
  }

  it('max_tokens: 721 fits a short prompt on llama-3.1-8b, 722 is refused with the largest that fit', async () => {
    const app = testApp();
    // 12 × 0.000000282 + 721 × 0.000000827 = 0.000003384 + 0.000596267 = 0.000599651 ≤ 0.0006.
    expect((await ask(app, CHAT, { ...QUESTION, max_tokens: 721 })).status).toBe(402);
    // 12 × 0.000000282 + 722 × 0.000000827 = 0.000003384 + 0.000597094 = 0.000600478 > 0.0006.
    // With max_tokens 722: (0.0006 − 0.000597094) / 0.000000282 = 10.3 → 10 prompt tokens.
    expect(await expectExceedsTier(app, { ...QUESTION, max_tokens: 722 })).toEqual({
      code: 'request_exceeds_tier',
      message:
        'The request is invalid (nothing was charged): about 12 prompt tokens and max_tokens 722 could cost 0.000600478 USD on @cf/meta/llama-3.1-8b-instruct, more than the standard price of 0.0006 USD; with max_tokens 722 the prompt may be at most about 10 tokens, or with this prompt max_tokens may be at most 721 (or use POST /inference/openrouter/chat, priced per request).',
      promptTokens: 12,
      maxTokens: 722,
      worstCaseUsd: '0.000600478',
      tierUsd: '0.0006',
      largestPromptTokens: 10,
      largestMaxTokens: 721,
    });
  });

  it('a long prompt on llama-3.2-3b: 5,038 estimated tokens fit with max_tokens 1024, 5,039 do not', async () => {
    const app = testApp();
    // 15,093 bytes: ⌈15093 / 3⌉ = 5031, + 4 + 3 = 5038 tokens;
    // 5038 × 0.000000051 + 1024 × 0.000000335 = 0.000256938 + 0.00034304 = 0.000599978.
    const fits = {
      model: LLAMA_3B,
      messages: [{ role: 'user', content: 'a'.repeat(15_093) }],
      max_tokens: 1024,
    };
    expect((await ask(app, CHAT, fits)).status).toBe(402);
    // One byte more: 5039 tokens, 0.000256989 + 0.00034304 = 0.000600029 USD.
    const over = { ...fits, messages: [{ role: 'user', content: 'a'.repeat(15_094) }] };
    expect(await expectExceedsTier(app, over)).toMatchObject({
      code: 'request_exceeds_tier',
      promptTokens: 5039,
      maxTokens: 1024,
      worstCaseUsd: '0.000600029',
      tierUsd: '0.0006',
      largestPromptTokens: 5038,
      // (0.0006 − 0.000256989) / 0.000000335 = 1023.9 → 1023.
      largestMaxTokens: 1023,
    });
  });

  it('a request naming no max_tokens gets the default, or as many as the price leaves', async () => {
    const app = testApp();
    // 4,479 bytes: ⌈4479 / 3⌉ = 1493, + 7 = 1500 prompt tokens on llama-3.1-8b:
    // (0.0006 − 1500 × 0.000000282) / 0.000000827 = 0.000177 / 0.000000827 = 214.0 → 214.
    const messages = [{ role: 'user', content: 'a'.repeat(4479) }];
    const { res, paymentId } = await payInference(app, CHAT, { model: MODEL, messages });
    expect(res.status).toBe(200);
    expect(ai.runs).toEqual([{ model: MODEL, inputs: { messages, max_tokens: 214 } }]);
    expect(await usageRow(paymentId)).toMatchObject({
      max_tokens: 214,
      estimated_prompt_tokens: 1500,
      outcome: 'completed',
    });
  });

  it('a prompt that costs more than the price even with max_tokens 1 is refused', async () => {
    const app = testApp();
    // 6,579 bytes: 2193 + 7 = 2200 tokens; 2200 × 0.000000282 + 0.000000827 = 0.000621227 USD.
    const body = { model: MODEL, messages: [{ role: 'user', content: 'a'.repeat(6579) }] };
    expect(await expectExceedsTier(app, body)).toEqual({
      code: 'request_exceeds_tier',
      message:
        'The request is invalid (nothing was charged): about 2200 prompt tokens and even max_tokens 1 could cost 0.000621227 USD on @cf/meta/llama-3.1-8b-instruct, more than the standard price of 0.0006 USD; with max_tokens 1 the prompt may be at most about 2124 tokens, or this prompt does not fit with any max_tokens (or use POST /inference/openrouter/chat, priced per request).',
      promptTokens: 2200,
      maxTokens: 1,
      worstCaseUsd: '0.000621227',
      tierUsd: '0.0006',
      // (0.0006 − 0.000000827) / 0.000000282 = 2124.7 → 2124.
      largestPromptTokens: 2124,
      largestMaxTokens: 0,
    });
  });

  it('takes the lowest USD value of the three standard prices: at STX 0.3 USD, 0.0003 USD', async () => {
    const app = testApp();
    const cheapStx = { ...INFERENCE_ENV, STX_USD_PRICE: '0.3' } as Env;
    // 12 × 0.000000282 + 358 × 0.000000827 = 0.000299450 ≤ 0.0003; 359: 0.000300277 > 0.0003.
    const fits = await app.post(CHAT, { ...QUESTION, max_tokens: 358 }, {}, cheapStx);
    expect(fits.status).toBe(402);
    const over = await app.post(CHAT, { ...QUESTION, max_tokens: 359 }, {}, cheapStx);
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({
      code: 'request_exceeds_tier',
      tierUsd: '0.0003',
      largestMaxTokens: 358,
    });
  });
});
