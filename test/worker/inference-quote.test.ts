/**
 * The dynamic price of `POST /inference/openrouter/chat`: the arithmetic to the atomic unit, the
 * 402's estimate and the paid retry agreeing with it, `max_tokens` (default, cap, aliases) reaching
 * OpenRouter exactly as priced, and refusals before the 402 that charge nothing.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE_KV_KEY, readModel } from '../../src/inference/catalogue';
import { parseInferenceConfig } from '../../src/inference/config';
import { decimalFromNumber, formatDecimal, parseDecimal } from '../../src/inference/decimal';
import { estimatePromptTokens, textTokens } from '../../src/inference/prompt-tokens';
import { quoteChat } from '../../src/inference/quote';
import { ledgerRows, testApp } from './support/app';
import { FAKE_MODELS, type FakeOpenRouter, fakeOpenRouter } from './support/fake-openrouter';
import { ask, challengeFor, INFERENCE_ENV, payInference } from './support/inference-requests';

const CHAT = '/inference/openrouter/chat';
const QUESTION = [{ role: 'user', content: 'What is x402?' }];

let upstream: FakeOpenRouter;
beforeEach(async () => {
  await env.KV.delete(CATALOGUE_KV_KEY);
  upstream = fakeOpenRouter();
});
afterEach(() => upstream.restore());

describe('the quote', () => {
  it('prices gpt-4o-mini to the atomic unit: (12 × 0.00000015 + 2000 × 0.0000006) × 1.2', async () => {
    // Prompt: "What is x402?" is 13 UTF-8 bytes, ⌈13 / 3⌉ = 5 tokens, + 4 for the message and
    // + 3 for the reply = 12 tokens.
    // Upstream at most: 12 × 0.00000015 + 2000 × 0.0000006 = 0.0000018 + 0.0012 = 0.0012018 USD.
    // Price: 0.0012018 × (1 + 0.2) = 0.00144216 USD (above the 0.001 minimum).
    // STX at 0.6 USD:       0.00144216 / 0.6 × 10^6       = 2403.6  → 2404 µSTX
    // sBTC at 100000 USD:   0.00144216 / 100000 × 10^8    = 1.44216 → 2 sats
    // USDCx at 1 USD:       0.00144216 × 10^6             = 1442.16 → 1443 µUSDCx
    const app = testApp();
    const required = await challengeFor(app, CHAT, {
      model: 'openai/gpt-4o-mini',
      messages: QUESTION,
      max_tokens: 2000,
    });
    expect(required.accepts.map((a) => [a.extra.tokenType, a.amount])).toEqual([
      ['STX', '2404'],
      ['sBTC', '2'],
      ['USDCx', '1443'],
    ]);
    for (const accepted of required.accepts) {
      expect(accepted.extra).toMatchObject({
        pricingTier: 'dynamic',
        estimate: {
          model: 'openai/gpt-4o-mini',
          promptTokens: 12,
          maxTokens: 2000,
          upstreamUsd: '0.0012018',
          priceUsd: '0.00144216',
        },
      });
    }
    expect(app.settler.settled).toHaveLength(0);
  });

  it('is exact where floating point is not (0.1 + 0.2), and rounds only once, up', () => {
    const config = parseInferenceConfig({
      INFERENCE_MARGIN: '0.1',
      INFERENCE_MINIMUM_USD: '0.000001',
      STX_USD_PRICE: '3',
      BTC_USD_PRICE: '70000.5',
      INFERENCE_DEFAULT_MAX_TOKENS: '10',
    });
    if (!config.ok) throw new Error(config.problems.join('; '));
    const model = readModel({
      id: 'x/y',
      context_length: 1000,
      pricing: { prompt: '0.1', completion: '0.2' },
      top_provider: { max_completion_tokens: null },
    });
    if (!model) throw new Error('model not read');
    const result = quoteChat(model, 1, 1, config.config);
    // (1 × 0.1 + 1 × 0.2) × 1.1 = 0.33 exactly (in floating point 0.30000000000000004 × 1.1).
    // STX: 0.33 / 3 = 0.11 STX = 110000 µSTX exactly: no rounding up past an exact amount.
    // sBTC: 0.33 / 70000.5 × 10^8 = 471.425… → 472 sats.
    expect(result).toEqual({
      type: 'quoted',
      quote: {
        model: 'x/y',
        pricing: { prompt: '0.1', completion: '0.2' },
        promptTokens: 1,
        maxTokens: 1,
        upstreamUsd: '0.3',
        priceUsd: '0.33',
        prices: { STX: 110000n, sBTC: 472n, USDCx: 330000n },
      },
    });
  });

  it('reads usage.cost numbers as the decimals they were written as', () => {
    const text = (value: number) => {
      const decimal = decimalFromNumber(value);
      return decimal === null ? null : formatDecimal(decimal);
    };
    expect(text(0.000015)).toBe('0.000015');
    expect(text(1.5e-7)).toBe('0.00000015');
    expect(text(2e21)).toBe('2000000000000000000000');
    expect(decimalFromNumber(-1)).toBeNull();
    expect(parseDecimal('-1')).toBeNull();
    expect(parseDecimal('1e-7')).toBeNull();
  });

  it('counts prompt tokens from the messages, tools and response format, deterministically', () => {
    expect(estimatePromptTokens({ messages: [{ content: 'What is x402?' }] })).toBe(12);
    // 'Ça coûte': 6 ASCII bytes, ⌈6 / 3⌉ = 2, and 2 two-byte letters, 1 each: 4; two messages:
    // 3 + (4 + 4) + (4 + 0).
    expect(estimatePromptTokens({ messages: [{ content: 'Ça coûte' }, { content: null }] })).toBe(
      15,
    );
    // Where tokenizers spend more tokens per byte, so does the estimate: a CJK character (3
    // bytes) counts 2, an emoji (4 bytes) 3; ⌈bytes / 3⌉ counted 1 and 2.
    expect(textTokens('你好')).toBe(4);
    expect(textTokens('😀')).toBe(3);
    expect(textTokens('x402 支付 🚀')).toBe(Math.ceil(6 / 3) + 2 * 2 + 3);
    expect(estimatePromptTokens({ messages: [{ content: '你好，世界' }] })).toBe(3 + 4 + 10);
    const tools = [{ type: 'function', function: { name: 'get_time' } }];
    // JSON.stringify(tools) is 52 bytes: ⌈52 / 3⌉ = 18 tokens more.
    expect(estimatePromptTokens({ messages: [{ content: 'What is x402?' }], tools })).toBe(30);
  });

  it('defaults max_tokens to INFERENCE_DEFAULT_MAX_TOKENS and charges at least the minimum', async () => {
    const app = testApp();
    const required = await challengeFor(app, CHAT, {
      model: 'openai/gpt-4o-mini',
      messages: QUESTION,
    });
    // (12 × 0.00000015 + 1024 × 0.0000006) × 1.2 = 0.00073944 USD, below the 0.001 minimum:
    // 0.001 / 0.6 STX = 1666.67 → 1667 µSTX; 0.001 / 100000 BTC = 1 sat; 1000 µUSDCx.
    expect(required.accepts.map((a) => a.amount)).toEqual(['1667', '1', '1000']);
    expect(required.accepts[0]?.extra.estimate).toEqual({
      model: 'openai/gpt-4o-mini',
      promptTokens: 12,
      maxTokens: 1024,
      upstreamUsd: '0.0006162',
      priceUsd: '0.001',
    });
    // The default is what was priced, so it is what OpenRouter is sent.
    const { res } = await payInference(app, CHAT, {
      model: 'openai/gpt-4o-mini',
      messages: QUESTION,
    });
    expect(res.status).toBe(200);
    expect(upstream.chats.map((chat) => chat.max_tokens)).toEqual([1024]);
  });

  it("caps max_tokens at the model's max_completion_tokens, and sends exactly that upstream", async () => {
    const app = testApp();
    const body = { model: 'openai/gpt-4o-mini', messages: QUESTION, max_tokens: 50_000 };
    const required = await challengeFor(app, CHAT, body);
    expect(required.accepts[0]?.extra.estimate).toMatchObject({ maxTokens: 16384 });
    const { res } = await payInference(app, CHAT, body);
    expect(res.status).toBe(200);
    expect(upstream.chats).toHaveLength(1);
    expect(upstream.chats[0]?.max_tokens).toBe(16384);
  });
});

describe('the 402 and the paid retry', () => {
  it('agree: the retry is matched against the same amounts and estimate, and is served', async () => {
    const app = testApp();
    const body = { model: 'anthropic/claude-3.5-haiku', messages: QUESTION, max_tokens: 300 };
    const first = await challengeFor(app, CHAT, body);
    const second = await challengeFor(app, CHAT, body);
    expect(second.accepts).toEqual(first.accepts);
    for (const token of ['STX', 'sBTC', 'USDCx'] as const) {
      const { res, accepted } = await payInference(app, CHAT, body, { token });
      expect(res.status).toBe(200);
      expect(accepted).toEqual(first.accepts.find((a) => a.extra.tokenType === token));
    }
    // The catalogue was read once and then served from KV.
    expect(upstream.listings.count).toBe(1);
    const rows = await ledgerRows();
    expect(rows.map((row) => [row.token, row.price, row.status])).toEqual([
      ['STX', first.accepts[0]?.amount, 'mempool'],
      ['sBTC', first.accepts[1]?.amount, 'mempool'],
      ['USDCx', first.accepts[2]?.amount, 'mempool'],
    ]);
  });

  it('sends OpenRouter the priced max_tokens, usage accounting, and a max price per million tokens', async () => {
    const app = testApp();
    const { res } = await payInference(app, CHAT, {
      model: 'openai/gpt-4o-mini',
      messages: QUESTION,
      max_tokens: 5,
      temperature: 0.3,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(upstream.authorizations).toEqual(['Bearer sk-or-test']);
    expect(upstream.chats).toEqual([
      {
        model: 'openai/gpt-4o-mini',
        messages: QUESTION,
        max_tokens: 5,
        temperature: 0.3,
        stream: false,
        usage: { include: true },
        provider: { max_price: { prompt: 0.15, completion: 0.6 } },
      },
    ]);
  });

  it('never gives more completion tokens than were paid for: max_completion_tokens is priced as max_tokens', async () => {
    const app = testApp();
    const body = { model: 'openai/gpt-4o-mini', messages: QUESTION, max_completion_tokens: 3 };
    const required = await challengeFor(app, CHAT, body);
    expect(required.accepts[0]?.extra.estimate).toMatchObject({ maxTokens: 3 });
    const { res } = await payInference(app, CHAT, body);
    const completion = (await res.json()) as {
      choices: { message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    expect(completion.choices[0]?.message.content).toBe('Stacks settles every');
    expect(completion.usage.completion_tokens).toBe(3);
    expect(upstream.chats[0]).toMatchObject({ max_tokens: 3 });
    expect(upstream.chats[0]).not.toHaveProperty('max_completion_tokens');
  });
});

describe('refused before the 402 (free, nothing settled)', () => {
  it('an unknown model: 400 invalid_model with up to 3 similar ids', async () => {
    const app = testApp();
    const res = await ask(app, CHAT, { model: 'openai/gpt-4o-mimi', messages: QUESTION });
    expect(res.status).toBe(400);
    expect(res.headers.get('payment-required')).toBeNull();
    expect(await res.json()).toEqual({
      code: 'invalid_model',
      message:
        'The request is invalid (nothing was charged): model: "openai/gpt-4o-mimi" is not an OpenRouter model offered here (GET /inference/openrouter/models lists them); did you mean openai/gpt-4o-mini, openai/gpt-4o?.',
      similar: ['openai/gpt-4o-mini', 'openai/gpt-4o'],
    });
    const bare = await ask(app, CHAT, { model: 'claude-3.5-haiku', messages: QUESTION });
    expect(((await bare.json()) as { similar: string[] }).similar[0]).toBe(
      'anthropic/claude-3.5-haiku',
    );
    // A model that cannot be priced is not offered either.
    const router = await ask(app, CHAT, { model: 'openrouter/auto', messages: QUESTION });
    expect(((await router.json()) as { code: string }).code).toBe('invalid_model');
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    expect(upstream.chats).toEqual([]);
  });

  it('a request that cannot fit the context: 400 context_length_exceeded', async () => {
    const app = testApp();
    const res = await ask(app, CHAT, {
      model: 'mistralai/mistral-small',
      messages: QUESTION,
      max_tokens: 40_000,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'context_length_exceeded',
      message:
        "The request is invalid (nothing was charged): messages: about 12 prompt tokens and max_tokens 40000 do not fit mistralai/mistral-small's context of 32768 tokens; send less text or a smaller max_tokens.",
      promptTokens: 12,
      maxTokens: 40000,
      contextLength: 32768,
    });
    // A long prompt alone: 99,000 bytes are 33,000 tokens.
    const long = await ask(app, CHAT, {
      model: 'mistralai/mistral-small',
      messages: [{ role: 'user', content: 'x'.repeat(99_000) }],
      max_tokens: 1,
    });
    expect(((await long.json()) as { code: string }).code).toBe('context_length_exceeded');
    expect(app.settler.settled).toHaveLength(0);
  });

  it('parameters no provider supports, more than one choice, and unknown fields', async () => {
    const app = testApp();
    const tools = await ask(app, CHAT, {
      model: 'mistralai/mistral-small',
      messages: QUESTION,
      tools: [{ type: 'function', function: { name: 'now' } }],
    });
    expect(await tools.json()).toMatchObject({ code: 'unsupported_parameter' });
    for (const body of [
      { model: 'openai/gpt-4o-mini', messages: QUESTION, n: 2 },
      { model: 'openai/gpt-4o-mini', messages: QUESTION, models: ['openai/gpt-4o'] },
      { model: 'openai/gpt-4o-mini', messages: QUESTION, max_tokens: 5, max_completion_tokens: 6 },
    ]) {
      const res = await ask(app, CHAT, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('payment-required')).toBeNull();
    }
    expect(app.settler.settled).toHaveLength(0);
  });

  it('without an OpenRouter key: 503 inference_unavailable, never a 402', async () => {
    const app = testApp();
    const res = await ask(app, CHAT, { model: 'openai/gpt-4o-mini', messages: QUESTION }, {
      ...INFERENCE_ENV,
      OPENROUTER_API_KEY: '',
    } as Env);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'inference_unavailable' });
  });

  it('with a malformed rate: 503 inference_misconfigured (other paid routes stay up)', async () => {
    const app = testApp();
    const broken = { ...INFERENCE_ENV, STX_USD_PRICE: '0' } as Env;
    const res = await ask(app, CHAT, { model: 'openai/gpt-4o-mini', messages: QUESTION }, broken);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('inference_misconfigured');
    expect(body.message).toContain('STX_USD_PRICE must be a positive decimal number');
    const hash = await app.post('/hashing/sha256', { data: 'hi' }, {}, broken);
    expect(hash.status).toBe(402);
  });
});

describe('the catalogue', () => {
  it('leaves out models whose call may cost more than its tokens: a request fee, dearer reasoning', () => {
    const entry = (pricing: Record<string, string>) =>
      readModel({
        id: 'x/y',
        context_length: 1000,
        pricing: { prompt: '0.000001', completion: '0.000002', ...pricing },
        top_provider: { max_completion_tokens: null },
      });
    expect(
      entry({ request: '0', internal_reasoning: '0', image: '0.001', web_search: '0.01' }),
    ).not.toBeNull();
    // Reasoning tokens at the completion price are bounded by max_tokens like any other.
    expect(entry({ internal_reasoning: '0.000002' })).not.toBeNull();
    expect(entry({ request: '0.005' })).toBeNull();
    expect(entry({ request: '-1' })).toBeNull();
    expect(entry({ internal_reasoning: '0.0000025' })).toBeNull();
  });

  it('follows links.next and keeps only models it can price', async () => {
    upstream.pageSize = 2;
    const app = testApp();
    const res = await app.request('/inference/openrouter/models', {}, INFERENCE_ENV);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; models: { id: string }[] };
    expect(upstream.listings.count).toBe(3);
    expect(body.models.map((m) => m.id)).toEqual(
      FAKE_MODELS.map((m) => m.id).filter((id) => id !== 'openrouter/auto'),
    );
  });
});

describe('OpenAPI', () => {
  it('documents the inference routes from their schemas', () => {
    const { app } = testApp();
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    for (const [path, method] of [
      ['/inference/openrouter/models', 'get'],
      ['/inference/openrouter/chat', 'post'],
      ['/inference/cloudflare/models', 'get'],
      ['/inference/cloudflare/chat', 'post'],
    ] as const) {
      const operation = doc.paths?.[path]?.[method];
      expect(operation?.tags).toEqual(['Inference']);
    }
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'OpenRouterChatRequest',
        'CloudflareChatRequest',
        'ChatMessage',
        'ChatCompletion',
        'OpenRouterModels',
        'CloudflareModels',
      ]),
    );
  });
});
