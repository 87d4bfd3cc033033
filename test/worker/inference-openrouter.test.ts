/**
 * `POST /inference/openrouter/chat` after payment, against the fake OpenRouter
 * (support/fake-openrouter.ts): the cost OpenRouter reports recorded to the atomic unit and shown
 * by the header and /payment-status, streams relayed as they arrive with their usage read,
 * upstream failures (429, 5xx, mid-stream) recorded as owed; and the free catalogue.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE_KV_KEY } from '../../src/inference/catalogue';
import { BASE, ledgerRows, testApp } from './support/app';
import {
  type FakeOpenRouter,
  fakeOpenRouter,
  GENERATION_ID,
  REPLY_WORDS,
} from './support/fake-openrouter';
import { INFERENCE_ENV, payInference, sseData, usageRow } from './support/inference-requests';
import { buildPayment, paymentHeader } from './support/payments';

const CHAT = '/inference/openrouter/chat';
const QUESTION = [{ role: 'user', content: 'What is x402?' }];
const FIVE_WORDS = { model: 'openai/gpt-4o-mini', messages: QUESTION, max_tokens: 5 };

let upstream: FakeOpenRouter;
beforeEach(async () => {
  await env.KV.delete(CATALOGUE_KV_KEY);
  upstream = fakeOpenRouter();
});
afterEach(() => upstream.restore());

describe('a JSON chat', () => {
  it('answers OpenRouter’s completion, records its usage.cost to the atomic unit, and says so', async () => {
    const app = testApp();
    const { res, paymentId, accepted } = await payInference(app, CHAT, FIVE_WORDS);
    expect(res.status).toBe(200);
    // The fake counts ⌈13 / 4⌉ = 4 prompt tokens; 5 completion tokens (max_tokens);
    // cost = 4 × 0.00000015 + 5 × 0.0000006 = 0.0000006 + 0.000003 = 0.0000036 USD,
    // in STX at 0.6 USD: 0.0000036 / 0.6 × 10^6 = 6 µSTX exactly.
    expect(res.headers.get('x-inference-cost-usd')).toBe('0.0000036');
    const completion = (await res.json()) as Record<string, unknown>;
    expect(completion).toMatchObject({
      id: GENERATION_ID,
      object: 'chat.completion',
      model: 'openai/gpt-4o-mini',
      choices: [
        {
          message: { role: 'assistant', content: REPLY_WORDS.slice(0, 5).join(' ') },
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9, cost: 0.0000036 },
    });
    // Priced: 12 estimated prompt tokens and 5 completion tokens, (0.0000018 + 0.000003) × 1.2
    // = 0.00000576 USD, below the minimum: 0.001 USD.
    expect(await usageRow(paymentId)).toEqual({
      payment_id: paymentId,
      provider: 'openrouter',
      model: 'openai/gpt-4o-mini',
      streamed: 0,
      max_tokens: 5,
      estimated_prompt_tokens: 12,
      prompt_tokens: 4,
      completion_tokens: 5,
      quoted_usd: '0.001',
      actual_usd: '0.0000036',
      token: 'STX',
      actual_amount: '6',
      outcome: 'completed',
      detail: null,
      generation_id: GENERATION_ID,
      recorded_at: expect.any(Number),
    });
    expect(accepted.amount).toBe('1667');
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ price: '1667', owed_amount: null, served: 1 });

    const status = await app.request(`/payment-status/${paymentId}`);
    expect(((await status.json()) as { usage: unknown }).usage).toEqual({
      provider: 'openrouter',
      model: 'openai/gpt-4o-mini',
      streamed: false,
      maxTokens: 5,
      estimatedPromptTokens: 12,
      promptTokens: 4,
      completionTokens: 5,
      quotedUsd: '0.001',
      actualUsd: '0.0000036',
      token: 'STX',
      actualAmount: '6',
      outcome: 'completed',
      generationId: GENERATION_ID,
      recordedAt: expect.any(String),
    });
  });

  it('rounds the actual cost up in sats and µUSDCx', async () => {
    const app = testApp();
    const sbtc = await payInference(app, CHAT, FIVE_WORDS, { token: 'sBTC' });
    const usdcx = await payInference(app, CHAT, FIVE_WORDS, { token: 'USDCx' });
    // 0.0000036 USD: / 100000 × 10^8 = 0.0036 → 1 sat; × 10^6 = 3.6 → 4 µUSDCx.
    expect((await usageRow(sbtc.paymentId))?.actual_amount).toBe('1');
    expect((await usageRow(usdcx.paymentId))?.actual_amount).toBe('4');
  });

  it('costs the same three D1 round trips as any upfront call (usage written with the answer)', async () => {
    const app = testApp();
    const required = await app.post(CHAT, FIVE_WORDS, {}, INFERENCE_ENV);
    const accepted = JSON.parse(atob(required.headers.get('payment-required') ?? '')).accepts[0];
    const tx = await buildPayment({ amount: BigInt(accepted.amount), nonce: 900n });
    let trips = 0;
    const db = new Proxy(env.DB, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'batch') {
          return (...args: Parameters<D1Database['batch']>) => {
            trips += 1;
            return target.batch(...args);
          };
        }
        if (property === 'prepare') {
          return (sql: string) => {
            const statement = target.prepare(sql);
            return new Proxy(statement, {
              get(s, p) {
                const v = Reflect.get(s, p);
                if (p === 'bind') return (...a: unknown[]) => s.bind(...a);
                if (['run', 'first', 'all', 'raw'].includes(String(p))) {
                  return (...a: unknown[]) => {
                    trips += 1;
                    return (v as (...x: unknown[]) => unknown).apply(s, a);
                  };
                }
                return typeof v === 'function' ? v.bind(s) : v;
              },
            });
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const res = await app.post(
      CHAT,
      FIVE_WORDS,
      { 'payment-signature': paymentHeader(tx, accepted) },
      { ...INFERENCE_ENV, DB: db } as Env,
    );
    expect(res.status).toBe(200);
    expect(trips).toBe(3);
    expect(await usageRow(res.headers.get('x-payment-id') ?? '')).toMatchObject({
      actual_amount: '6',
    });
  });
});

describe('upstream failures after settlement are owed', () => {
  it('429: 503 upstream_rate_limited with retry-after; the payment is owed', async () => {
    const app = testApp();
    upstream.fail({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const { res, paymentId, accepted } = await payInference(app, CHAT, FIVE_WORDS);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-payment-id')).toBe(paymentId);
    expect(await res.json()).toEqual({
      code: 'upstream_rate_limited',
      message:
        'OpenRouter answered chat with HTTP 429: Rate limit exceeded. Retry in 7 s. The payment is recorded as owed to you.',
    });
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ status: 'mempool', owed_amount: accepted.amount });
    expect(await usageRow(paymentId)).toMatchObject({
      outcome: 'failed',
      actual_usd: null,
      prompt_tokens: null,
      detail: 'OpenRouter answered chat with HTTP 429: Rate limit exceeded',
    });
  });

  it.each([
    [502, 'Provider returned error'],
    [503, 'No allowed providers are available for the selected model.'],
    [500, 'Internal Server Error'],
  ])('%i: 502 upstream_error with retry-after; owed', async (status, message) => {
    const app = testApp();
    upstream.fail({ kind: 'http-error', status, message });
    const { res, accepted } = await payInference(app, CHAT, FIVE_WORDS);
    expect(res.status).toBe(502);
    expect(res.headers.get('retry-after')).toBe('5');
    // One full stop, even where OpenRouter's message ends with one.
    expect(await res.json()).toEqual({
      code: 'upstream_error',
      message: `OpenRouter answered chat with HTTP ${status}: ${message.replace(/\.$/, '')}. Retry in 5 s. The payment is recorded as owed to you.`,
    });
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: accepted.amount });
  });
});

/** Reads a stream's chunks as text until `until` holds of what was read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  until: (text: string) => boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('a streamed chat', () => {
  it('relays each chunk as it arrives: the first reaches the caller before OpenRouter sends the last', async () => {
    const app = testApp();
    // Two comments and the first word, then OpenRouter holds the rest back.
    upstream.fail({ kind: 'hold-stream', frames: 3 });
    const ctx = createExecutionContext();
    const body = { ...FIVE_WORDS, stream: true };
    const { res, paymentId } = await payInference(app, CHAT, body, { ctx });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-payment-id')).toBe(paymentId);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await readUntil(reader, (text) => text.includes('\n\n'));
    expect(sseData(first)).toHaveLength(1);
    expect(JSON.parse(sseData(first)[0] ?? '')).toMatchObject({
      choices: [{ delta: { content: 'Stacks' } }],
    });
    expect(upstream.stream.sent).toBe(3);
    expect(upstream.stream.total).toBe(10);
    // Delivered already, as the stream began; its usage is not known yet.
    expect((await ledgerRows())[0]).toMatchObject({ delivered_at: expect.any(Number) });
    expect(await usageRow(paymentId)).toBeNull();

    upstream.release();
    const rest = await readUntil(reader, () => false);
    await waitOnExecutionContext(ctx);
    const events = sseData(first + rest);
    expect(upstream.stream.sent).toBe(10);
    expect(events.at(-1)).toBe('[DONE]');
    expect(await usageRow(paymentId)).toMatchObject({
      streamed: 1,
      completion_tokens: 5,
      actual_usd: '0.0000036',
      actual_amount: '6',
      outcome: 'completed',
    });
  });

  it('skips OpenRouter’s comments, forwards every chunk, and reads the final usage chunk', async () => {
    const app = testApp();
    const ctx = createExecutionContext();
    const { res, paymentId } = await payInference(
      app,
      CHAT,
      { ...FIVE_WORDS, stream: true },
      { ctx },
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    expect(text).not.toContain('OPENROUTER PROCESSING');
    expect(text.startsWith('data: ')).toBe(true);
    const events = sseData(text);
    expect(events).toHaveLength(8);
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(
      chunks
        .slice(0, 5)
        .map((c) => c.choices[0].delta.content)
        .join(''),
    ).toBe(REPLY_WORDS.slice(0, 5).join(' '));
    expect(chunks[5].choices[0].finish_reason).toBe('length');
    expect(chunks[6]).toMatchObject({
      choices: [],
      usage: { completion_tokens: 5, cost: 0.0000036 },
    });
    expect(events[7]).toBe('[DONE]');
    expect(await usageRow(paymentId)).toMatchObject({ outcome: 'completed', actual_amount: '6' });
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: null });
    // An idempotent retry is told the stream is not kept, never asked to pay again.
    expect(await env.DB.prepare('SELECT status FROM payment_responses').first()).toEqual({
      status: 410,
    });
  });

  it('an error mid-stream (200, finish_reason "error"): relayed, and the payment is owed', async () => {
    const app = testApp();
    upstream.fail({ kind: 'mid-stream-error', afterChunks: 2 });
    const ctx = createExecutionContext();
    const { res, paymentId, accepted } = await payInference(
      app,
      CHAT,
      { ...FIVE_WORDS, stream: true },
      { ctx },
    );
    expect(res.status).toBe(200);
    const events = sseData(await res.text());
    await waitOnExecutionContext(ctx);
    expect(events).toHaveLength(4);
    expect(JSON.parse(events[2] ?? '')).toMatchObject({
      error: { code: 502, message: 'Provider disconnected unexpectedly' },
      choices: [{ finish_reason: 'error' }],
    });
    // OpenRouter sends no [DONE] after an error chunk; the caller's stream still ends with one.
    expect(events[3]).toBe('[DONE]');
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: accepted.amount });
    expect(await usageRow(paymentId)).toMatchObject({
      outcome: 'failed',
      detail: 'OpenRouter reported an error mid-stream (502: Provider disconnected unexpectedly)',
      actual_usd: null,
    });
  });

  it('a stream that ends early without an error: the caller gets one, and the payment is owed', async () => {
    const app = testApp();
    upstream.fail({ kind: 'truncated-stream', afterChunks: 1 });
    const ctx = createExecutionContext();
    const { res, accepted } = await payInference(
      app,
      CHAT,
      { ...FIVE_WORDS, stream: true },
      { ctx },
    );
    const events = sseData(await res.text());
    await waitOnExecutionContext(ctx);
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[1] ?? '')).toMatchObject({
      error: {
        code: 502,
        message:
          'the upstream stream ended before its usage and [DONE]; the payment is recorded as owed to you',
      },
      choices: [{ finish_reason: 'error' }],
    });
    expect(events[2]).toBe('[DONE]');
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: accepted.amount });
  });

  it('a caller that goes away cancels the upstream stream; nothing is owed', async () => {
    const app = testApp();
    upstream.fail({ kind: 'hold-stream', frames: 3 });
    const ctx = createExecutionContext();
    const { res, paymentId } = await payInference(
      app,
      CHAT,
      { ...FIVE_WORDS, stream: true },
      { ctx },
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (text) => text.includes('\n\n'));
    await reader.cancel('gone');
    await waitOnExecutionContext(ctx);
    expect(await usageRow(paymentId)).toMatchObject({ outcome: 'cancelled' });
    expect((await ledgerRows())[0]).toMatchObject({ owed_amount: null });
    expect(upstream.stream.sent).toBe(3);
  });
});

describe('GET /inference/openrouter/models', () => {
  it('lists the catalogue with our price per 1,000 tokens in USD, STX, sBTC and USDCx, cached in KV', async () => {
    const app = testApp();
    const res = await app.request('/inference/openrouter/models', {}, INFERENCE_ENV);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      pricing: unknown;
      count: number;
      models: { id: string }[];
    };
    expect(body.pricing).toEqual({
      margin: '0.2',
      minimumUsd: '0.001',
      minimum: { STX: '1667', sBTC: '1', USDCx: '1000' },
      usdPerToken: { STX: '0.6', sBTC: '100000', USDCx: '1' },
      defaultMaxTokens: 1024,
      formula:
        'max((estimated prompt tokens × prompt price + max_tokens × completion price) × (1 + margin), minimumUsd), ÷ usdPerToken, rounded up to the atomic unit',
    });
    expect(body.count).toBe(5);
    // gpt-4o-mini: 1000 × 0.00000015 × 1.2 = 0.00018 USD = 0.0003 STX = 0.0000000018 BTC;
    // 1000 × 0.0000006 × 1.2 = 0.00072 USD = 0.0012 STX = 0.0000000072 BTC.
    expect(body.models[0]).toEqual({
      id: 'openai/gpt-4o-mini',
      name: 'OpenAI: GPT-4o-mini',
      contextLength: 128000,
      maxCompletionTokens: 16384,
      upstreamPricing: { prompt: '0.00000015', completion: '0.0000006' },
      pricePer1kTokens: {
        prompt: { USD: '0.00018', STX: '0.0003', sBTC: '0.0000000018', USDCx: '0.00018' },
        completion: { USD: '0.00072', STX: '0.0012', sBTC: '0.0000000072', USDCx: '0.00072' },
      },
    });
    expect(await env.KV.get(CATALOGUE_KV_KEY)).not.toBeNull();
    await app.request('/inference/openrouter/models', {}, INFERENCE_ENV);
    expect(upstream.listings.count).toBe(1);
  });

  it('answers 503 upstream_error with retry-after when OpenRouter cannot list, and charges nothing', async () => {
    upstream.restore();
    const app = testApp();
    const res = await app.app.request(`${BASE}/inference/openrouter/models`, {}, {
      ...INFERENCE_ENV,
      OPENROUTER_API_URL: 'not a url',
    } as Env);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.json()).toMatchObject({ code: 'upstream_unavailable' });
    upstream = fakeOpenRouter();
  });
});
