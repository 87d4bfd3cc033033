/**
 * The inference route group end to end (issue 9): `wrangler dev`, the devnet, the local
 * OpenRouter and the Workers AI stand-in as separate processes. One paid chat per route; the
 * OpenRouter chat is priced by its quote, relayed with `max_tokens` as priced (capped at the
 * model's completion limit), and its actual cost recorded against the payment; OpenRouter's 429
 * and 5xx after settlement (the stand-in's faults) answer clear codes with `retry-after` and
 * record the payment as owed. Streaming: inference-streaming.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createX402Client, type X402Client } from '../../client';
import { getDevnetAccount } from '../../devnet/accounts';
import { postJson, waitForPaymentStatus } from './helpers';
import { inferenceStackForTests, payAndPost, statusWithUsage } from './inference-stack';

const stack = inferenceStackForTests();
let client: X402Client;

beforeAll(async () => {
  client = createX402Client({
    privateKey: (await getDevnetAccount('wallet_7')).privateKey,
    network: 'testnet',
    stacksApiUrl: stack.devnet.url,
  });
});

const chat = (path: string, body: unknown) =>
  client.fetch(`${stack.worker.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('inference over real HTTP, paid on the devnet', () => {
  it('OpenRouter chat: priced by its quote, max_tokens enforced, actual cost recorded', async () => {
    const result = await chat('/inference/openrouter/chat', {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
      max_tokens: 5,
    });
    if (result.type !== 'response') throw new Error(result.type);
    expect(result.status).toBe(200);
    const body = result.body as {
      choices: { finish_reason: string; message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    // The local OpenRouter writes exactly max_tokens words when it is cut short.
    expect(body.usage.completion_tokens).toBe(5);
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(result.payment?.requirement.extra.estimate).toMatchObject({
      model: 'openai/gpt-4o-mini',
      maxTokens: 5,
    });
    const status = await waitForPaymentStatus(
      stack.worker.url,
      result.paymentId as string,
      (s) => s.status === 'confirmed',
    );
    expect(status.amount).toBe(result.payment?.requirement.amount);
    expect((await statusWithUsage(stack, status.paymentId)).usage).toMatchObject({
      completionTokens: 5,
    });
  });

  it('Workers AI chat through the stand-in', async () => {
    const result = await chat('/inference/cloudflare/chat', {
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user', content: 'Say hello' }],
      max_tokens: 8,
    });
    if (result.type !== 'response') throw new Error(result.type);
    expect(result.status).toBe(200);
    expect((result.body as { object: string }).object).toBe('chat.completion');
  });

  it('a caller asking more completion tokens than the model allows pays for, and gets, its cap', async () => {
    // gpt-4o-mini's top_provider.max_completion_tokens is 16384; the stand-in refuses more (400).
    const result = await chat('/inference/openrouter/chat', {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
      max_tokens: 50_000,
    });
    if (result.type !== 'response') throw new Error(result.type);
    expect(result.payment?.requirement.extra.estimate).toEqual({
      model: 'openai/gpt-4o-mini',
      promptTokens: 12,
      maxTokens: 16384,
      // 12 × 0.00000015 + 16384 × 0.0000006 = 0.0000018 + 0.0098304 USD; × 1.2 = 0.01179864.
      upstreamUsd: '0.0098322',
      priceUsd: '0.01179864',
    });
    // 0.01179864 / 0.6 × 10^6 = 19664.4 → 19665 µSTX.
    expect(result.payment?.requirement.amount).toBe('19665');
    expect(result.status).toBe(200);
    // A full stand-in reply is 24 words, within the cap.
    expect((result.body as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(
      24,
    );
    const { usage } = await statusWithUsage(stack, result.paymentId as string);
    expect(usage).toMatchObject({
      maxTokens: 16384,
      completionTokens: 24,
      // 4 × 0.00000015 + 24 × 0.0000006 = 0.000015 USD = 25 µSTX.
      actualUsd: '0.000015',
      actualAmount: '25',
      outcome: 'completed',
    });
  });

  it('an unknown model is a free 400 with similar ids', async () => {
    const res = await fetch(`${stack.worker.url}/inference/openrouter/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mino',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_model' });
  });
});

describe('OpenRouter failures after settlement (the stand-in’s faults)', () => {
  const body = {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'Is the payment owed?' }],
    max_tokens: 5,
  };

  /** Arms `fault` on the stand-in, pays for `request` from `account`, and sends it. */
  async function paidFailure(fault: unknown, request: unknown, account: 'wallet_1' | 'wallet_2') {
    const armed = await postJson(`${stack.openrouter.url}/openrouter-standin/faults`, fault);
    expect(armed.status).toBe(200);
    const paid = await payAndPost(stack, '/inference/openrouter/chat', request, account);
    // The usage and the amount owed are written in the batch that keeps the answer.
    const owed = await statusWithUsage(stack, paid.paymentId);
    return { res: paid.response, requirement: paid.requirement, owed };
  }

  it('429: 503 upstream_rate_limited with OpenRouter’s retry-after; the payment is owed', async () => {
    const { res, requirement, owed } = await paidFailure(
      { kind: 'rate-limit', retryAfterSeconds: 7 },
      body,
      'wallet_1',
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({
      code: 'upstream_rate_limited',
      message:
        'OpenRouter answered chat with HTTP 429: Rate limit exceeded. Retry in 7 s. The payment is recorded as owed to you.',
    });
    expect(owed.owedAmount).toBe(requirement.amount);
    expect(owed.delivered).toBe(true);
    expect(owed.usage).toMatchObject({
      outcome: 'failed',
      detail: 'OpenRouter answered chat with HTTP 429: Rate limit exceeded',
      promptTokens: null,
      actualUsd: null,
    });
  });

  it('502 and 503: 502 upstream_error with retry-after; owed, streamed or not', async () => {
    const bad = await paidFailure({ kind: 'http-error', status: 502 }, body, 'wallet_2');
    expect(bad.res.status).toBe(502);
    expect(bad.res.headers.get('retry-after')).toBe('5');
    expect(await bad.res.json()).toEqual({
      code: 'upstream_error',
      message:
        'OpenRouter answered chat with HTTP 502: Provider returned error. Retry in 5 s. The payment is recorded as owed to you.',
    });
    expect(bad.owed.owedAmount).toBe(bad.requirement.amount);

    // A stream that OpenRouter refuses before its first event is answered the same way.
    const unavailable = await paidFailure(
      { kind: 'http-error', status: 503 },
      { ...body, stream: true },
      'wallet_2',
    );
    expect(unavailable.res.status).toBe(502);
    expect(unavailable.res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(unavailable.res.headers.get('retry-after')).toBe('5');
    expect(await unavailable.res.json()).toMatchObject({
      code: 'upstream_error',
      message:
        'OpenRouter answered chat with HTTP 503: No allowed providers are available for the selected model. Retry in 5 s. The payment is recorded as owed to you.',
    });
    expect(unavailable.owed.owedAmount).toBe(unavailable.requirement.amount);
    expect(unavailable.owed.usage).toMatchObject({ streamed: true, outcome: 'failed' });
  });
});
