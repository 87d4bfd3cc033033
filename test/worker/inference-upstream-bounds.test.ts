/**
 * `POST /inference/openrouter/chat` when the upstream misbehaves in ways a bound must catch: a
 * stream that stalls after its headers is ended after INFERENCE_STREAM_IDLE_SECONDS (error chunk
 * and [DONE], upstream cancelled, the payment owed), and prompt tokens counted beyond the
 * estimate are recorded with the call.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE_KV_KEY } from '../../src/inference/catalogue';
import { ledgerRows, testApp } from './support/app';
import { type FakeOpenRouter, fakeOpenRouter, GENERATION_ID } from './support/fake-openrouter';
import { INFERENCE_ENV, payInference, sseData, usageRow } from './support/inference-requests';

const CHAT = '/inference/openrouter/chat';
const QUESTION = [{ role: 'user', content: 'What is x402?' }];
const FIVE_WORDS = { model: 'openai/gpt-4o-mini', messages: QUESTION, max_tokens: 5 };

let upstream: FakeOpenRouter;
beforeEach(async () => {
  await env.KV.delete(CATALOGUE_KV_KEY);
  upstream = fakeOpenRouter();
});
afterEach(() => upstream.restore());

/**
 * Wraps the fake's `fetch` so a test sees whether the Worker cancelled an upstream event stream
 * (the fake itself cannot tell a cancelled stream from one still held).
 */
function watchStreamCancellation(): { cancelled: unknown[]; restore(): void } {
  const faked = globalThis.fetch;
  const cancelled: unknown[] = [];
  globalThis.fetch = async (input, init) => {
    const response = await faked(input, init);
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        cancelled.push(reason instanceof Error ? reason.message : reason);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { cancelled, restore: () => (globalThis.fetch = faked) };
}

describe('a stream that stalls after its headers (INFERENCE_STREAM_IDLE_SECONDS)', () => {
  it('is ended: an error chunk and [DONE] to the caller, the upstream cancelled, the payment owed', async () => {
    const app = testApp();
    // The two comments and the first word, then nothing until released (never, here).
    upstream.fail({ kind: 'hold-stream', frames: 3 });
    const watch = watchStreamCancellation();
    const ctx = createExecutionContext();
    try {
      const bindings = { ...INFERENCE_ENV, INFERENCE_STREAM_IDLE_SECONDS: '1' } as Env;
      const { res, paymentId, accepted } = await payInference(
        app,
        CHAT,
        { ...FIVE_WORDS, stream: true },
        { ctx, bindings },
      );
      expect(res.status).toBe(200);
      const events = sseData(await res.text());
      await waitOnExecutionContext(ctx);
      expect(events).toHaveLength(3);
      expect(JSON.parse(events[0] ?? '')).toMatchObject({
        choices: [{ delta: { content: 'Stacks' } }],
      });
      expect(JSON.parse(events[1] ?? '')).toEqual({
        id: GENERATION_ID,
        object: 'chat.completion.chunk',
        error: {
          code: 504,
          message:
            'the upstream stream sent nothing for 1 s; the payment is recorded as owed to you',
        },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      });
      expect(events[2]).toBe('[DONE]');
      expect(watch.cancelled).toEqual(['the upstream stream sent nothing for 1 s']);
      expect(upstream.stream.sent).toBe(3);
      expect((await ledgerRows())[0]).toMatchObject({ owed_amount: accepted.amount });
      expect(accepted.amount).toBe('1667');
      expect(await usageRow(paymentId)).toMatchObject({
        streamed: 1,
        outcome: 'failed',
        detail: 'the upstream stream sent nothing for 1 s',
        prompt_tokens: null,
        actual_usd: null,
        generation_id: GENERATION_ID,
      });
    } finally {
      watch.restore();
      upstream.release();
    }
  });
});

describe('prompt tokens counted over the estimate', () => {
  it('are recorded with the call: how many more OpenRouter counted than were priced', async () => {
    const app = testApp();
    // A provider whose tokenizer counts 20 prompt tokens where 12 were estimated and priced.
    const faked = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const response = await faked(input, init);
      if (!new Request(input, init).url.endsWith('/chat/completions')) return response;
      const body = (await response.json()) as { usage: Record<string, number> };
      body.usage = { ...body.usage, prompt_tokens: 20, total_tokens: 25, cost: 0.000006 };
      return Response.json(body);
    };
    try {
      const { res, paymentId } = await payInference(app, CHAT, FIVE_WORDS);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-inference-cost-usd')).toBe('0.000006');
      expect(await usageRow(paymentId)).toMatchObject({
        estimated_prompt_tokens: 12,
        prompt_tokens: 20,
        actual_usd: '0.000006',
        // 0.000006 / 0.6 × 10^6 = 10 µSTX.
        actual_amount: '10',
        outcome: 'completed',
        detail: 'the upstream counted 20 prompt tokens, 8 more than the 12 priced',
      });
    } finally {
      globalThis.fetch = faked;
    }
  });
});
