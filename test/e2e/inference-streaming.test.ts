/**
 * Streamed chats end to end (issue 9): `wrangler dev`, the devnet, the local OpenRouter and the
 * Workers AI stand-in as separate processes, paid on the devnet with raw HTTP so the test reads
 * the event stream as it arrives.
 *
 * - OpenRouter: the stand-in holds its stream after the first word (a `hold-stream` fault) and the
 *   first chunk must reach the caller through the Worker while the stand-in has not produced the
 *   rest, so the Worker relays rather than buffers; its `: OPENROUTER PROCESSING` comments are not
 *   passed on; the final usage chunk is read and its cost recorded against the payment (shown by
 *   `GET /payment-status/{id}`). An error mid-stream (HTTP 200, `finish_reason: "error"`) records
 *   the payment as owed.
 * - Workers AI: `stream: true` answers OpenAI `chat.completion.chunk`s, the usage and [DONE].
 */
import { describe, expect, it } from 'vitest';
import { postJson } from './helpers';
import { inferenceStackForTests, payAndPost, statusWithUsage } from './inference-stack';

// A stream silent this long is ended by the Worker; long enough for the hold below to be
// released first, short enough to wait out in the idle test.
const STREAM_IDLE_SECONDS = 2;
const stack = inferenceStackForTests({
  INFERENCE_STREAM_IDLE_SECONDS: String(STREAM_IDLE_SECONDS),
});

/** Reads `reader` until `until` holds of all it read, or fails after `timeoutMs`. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  until: (text: string) => boolean,
  timeoutMs: number,
  why: string,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!until(text)) {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${why} (read so far: ${JSON.stringify(text)})`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const { value, done } = await Promise.race([reader.read(), expired]);
      if (done) break;
      text += decoder.decode(value, { stream: true });
    } finally {
      clearTimeout(timer);
    }
  }
  return text;
}

/** The `data` of each event of an event stream, and whether anything else was in it. */
function events(text: string): { data: string[]; other: string[] } {
  const blocks = text.split('\n\n').filter((block) => block !== '');
  const data = blocks.filter((b) => b.startsWith('data: ')).map((b) => b.slice(6));
  return { data, other: blocks.filter((b) => !b.startsWith('data: ')) };
}

const standin = (path: string, body?: unknown) =>
  body === undefined
    ? fetch(`${stack.openrouter.url}${path}`, { method: 'POST' })
    : postJson(`${stack.openrouter.url}${path}`, body);

const QUESTION = [{ role: 'user', content: 'What is x402?' }];
const FIVE_WORDS = {
  model: 'openai/gpt-4o-mini',
  messages: QUESTION,
  max_tokens: 5,
  stream: true,
};

describe('a streamed OpenRouter chat, paid on the devnet', () => {
  it('relays each chunk as it arrives, skips the comments, reads the usage and records its cost', async () => {
    // The stand-in sends its two comments and the first word, then holds the rest back.
    expect((await standin('/openrouter-standin/faults', { kind: 'hold-stream' })).status).toBe(200);
    const { response, requirement, paymentId } = await payAndPost(
      stack,
      '/inference/openrouter/chat',
      FIVE_WORDS,
      'wallet_3',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
    // Priced: 12 estimated prompt tokens and 5 completion tokens, (12 × 0.00000015 + 5 ×
    // 0.0000006) × 1.2 = 0.00000576 USD, below the 0.001 USD minimum: 0.001 / 0.6 → 1667 µSTX.
    expect(requirement.amount).toBe('1667');
    expect(requirement.extra.estimate).toEqual({
      model: 'openai/gpt-4o-mini',
      promptTokens: 12,
      maxTokens: 5,
      upstreamUsd: '0.0000048',
      priceUsd: '0.001',
    });

    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await readUntil(
      reader,
      (text) => text.includes('\n\n'),
      20_000,
      'the first chunk did not reach the caller while the stand-in held the rest: the Worker buffers the stream',
    );
    // The stand-in has written 3 of its 10 frames (2 comments, 5 words, the finish chunk, the
    // usage chunk, [DONE]) and holds the rest: what the caller has came through as it arrived.
    const held = await (await standin('/openrouter-standin/release')).json();
    expect(held).toEqual({
      released: [{ id: expect.stringMatching(/^gen-/), sent: 3, total: 10 }],
    });
    const generationId = held.released[0].id as string;
    expect(events(first).data.map((data) => JSON.parse(data))).toEqual([
      expect.objectContaining({
        id: generationId,
        object: 'chat.completion.chunk',
        choices: [expect.objectContaining({ delta: { role: 'assistant', content: 'Speak' } })],
      }),
    ]);

    const text = first + (await readUntil(reader, () => false, 20_000, 'the stream did not end'));
    expect(text).not.toContain('OPENROUTER PROCESSING');
    const { data, other } = events(text);
    expect(other).toEqual([]);
    expect(data).toHaveLength(8);
    const chunks = data.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.slice(0, 5).map((chunk) => chunk.choices[0].delta.content)).toEqual([
      'Speak',
      ' for',
      ' themselves',
      ' across',
      ' blocks',
    ]);
    expect(chunks[5].choices[0].finish_reason).toBe('length');
    // The final usage chunk: 4 prompt tokens (⌈13 / 4⌉) and 5 completion tokens, costing
    // 4 × 0.00000015 + 5 × 0.0000006 = 0.0000036 USD.
    expect(chunks[6]).toMatchObject({
      id: generationId,
      choices: [],
      usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9, cost: 0.0000036 },
    });
    expect(data[7]).toBe('[DONE]');

    const status = await statusWithUsage(stack, paymentId);
    expect(status.amount).toBe('1667');
    expect(status.owedAmount).toBeUndefined();
    expect(status.delivered).toBe(true);
    expect(status.usage).toEqual({
      provider: 'openrouter',
      model: 'openai/gpt-4o-mini',
      streamed: true,
      maxTokens: 5,
      estimatedPromptTokens: 12,
      promptTokens: 4,
      completionTokens: 5,
      quotedUsd: '0.001',
      actualUsd: '0.0000036',
      token: 'STX',
      // 0.0000036 USD / 0.6 USD per STX = 6 µSTX exactly.
      actualAmount: '6',
      outcome: 'completed',
      generationId,
      recordedAt: expect.any(String),
    });
  });

  it('an error mid-stream (HTTP 200, finish_reason "error") is relayed and the payment recorded as owed', async () => {
    await standin('/openrouter-standin/faults', { kind: 'mid-stream-error', afterChunks: 2 });
    const { response, requirement, paymentId } = await payAndPost(
      stack,
      '/inference/openrouter/chat',
      FIVE_WORDS,
      'wallet_4',
    );
    expect(response.status).toBe(200);
    const { data, other } = events(await response.text());
    expect(other).toEqual([]);
    expect(data).toHaveLength(4);
    // OpenRouter sends no [DONE] after its error chunk; the Worker ends the caller's stream with one.
    expect(data[3]).toBe('[DONE]');
    const chunks = data.slice(0, 3).map((event) => JSON.parse(event));
    expect(chunks.slice(0, 2).map((chunk) => chunk.choices[0].delta.content)).toEqual([
      'Speak',
      ' for',
    ]);
    expect(chunks[2]).toMatchObject({
      error: { code: 502, message: 'Provider disconnected unexpectedly' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });

    const status = await statusWithUsage(stack, paymentId);
    expect(status.owedAmount).toBe(requirement.amount);
    expect(status.owedAmount).toBe('1667');
    expect(status.usage).toMatchObject({
      streamed: true,
      outcome: 'failed',
      detail: 'OpenRouter reported an error mid-stream (502: Provider disconnected unexpectedly)',
      promptTokens: null,
      completionTokens: null,
      actualUsd: null,
      actualAmount: null,
      generationId: chunks[0].id,
    });
  });
});

describe('a streamed OpenRouter chat that stalls after its headers', () => {
  it('is ended after INFERENCE_STREAM_IDLE_SECONDS: error chunk and [DONE], upstream let go, owed', async () => {
    // The stand-in sends its comments and the first word, then holds the rest until released.
    await standin('/openrouter-standin/faults', { kind: 'hold-stream' });
    const { response, requirement, paymentId } = await payAndPost(
      stack,
      '/inference/openrouter/chat',
      FIVE_WORDS,
      'wallet_6',
    );
    expect(response.status).toBe(200);
    // Without the idle timeout this read never ends (the stand-in holds the stream for good).
    const { data, other } = events(await response.text());
    expect(other).toEqual([]);
    expect(data).toHaveLength(3);
    const first = JSON.parse(data[0] ?? '');
    expect(first.choices[0].delta).toEqual({ role: 'assistant', content: 'Speak' });
    const message = `the upstream stream sent nothing for ${STREAM_IDLE_SECONDS} s`;
    expect(JSON.parse(data[1] ?? '')).toEqual({
      id: first.id,
      object: 'chat.completion.chunk',
      error: { code: 504, message: `${message}; the payment is recorded as owed to you` },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
    expect(data[2]).toBe('[DONE]');

    const status = await statusWithUsage(stack, paymentId);
    expect(status.owedAmount).toBe(requirement.amount);
    expect(status.owedAmount).toBe('1667');
    expect(status.usage).toMatchObject({
      streamed: true,
      outcome: 'failed',
      detail: message,
      promptTokens: null,
      actualUsd: null,
      generationId: first.id,
    });
    // The Worker cancelled its upstream request: the stand-in saw the client go and holds nothing.
    const deadline = Date.now() + 10_000;
    let held: unknown[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      held = (
        (await (await fetch(`${stack.openrouter.url}/openrouter-standin/held`)).json()) as {
          held: unknown[];
        }
      ).held;
    } while (held.length > 0 && Date.now() < deadline);
    expect(held).toEqual([]);
  });
});

describe('a streamed Workers AI chat, paid on the devnet', () => {
  it('answers chat.completion.chunks, the usage and [DONE], and records the cost', async () => {
    const body = {
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user', content: 'Say hello' }],
      max_tokens: 8,
      stream: true,
    };
    const { response, requirement, paymentId } = await payAndPost(
      stack,
      '/inference/cloudflare/chat',
      body,
      'wallet_5',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { data, other } = events(await response.text());
    expect(other).toEqual([]);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((event) => JSON.parse(event));
    // The stand-in answers its model's name and the last user message, a word a token.
    expect(chunks).toHaveLength(8);
    const head = {
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{24}$/),
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: '@cf/meta/llama-3.2-3b-instruct',
    };
    const piece = (delta: Record<string, string>) => ({
      ...head,
      choices: [{ index: 0, delta, finish_reason: null }],
    });
    expect(chunks).toEqual([
      piece({ role: 'assistant', content: 'Stand-in' }),
      piece({ content: ' answer' }),
      piece({ content: ' from' }),
      piece({ content: ' llama-3.2-3b-instruct:' }),
      piece({ content: ' Say' }),
      piece({ content: ' hello' }),
      { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      // 2 × 0.000000051 + 6 × 0.000000335 = 0.000000102 + 0.00000201 = 0.000002112 USD.
      {
        ...head,
        choices: [],
        usage: { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8, cost: 0.000002112 },
      },
    ]);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);

    const status = await statusWithUsage(stack, paymentId);
    expect(status.amount).toBe(requirement.amount);
    expect(status.owedAmount).toBeUndefined();
    expect(status.usage).toEqual({
      provider: 'cloudflare',
      model: '@cf/meta/llama-3.2-3b-instruct',
      streamed: true,
      maxTokens: 8,
      // "Say hello": ⌈9 / 3⌉ = 3, + 4 for the message, + 3 for the reply.
      estimatedPromptTokens: 10,
      promptTokens: 2,
      completionTokens: 6,
      // The standard price, 1000 µSTX at 0.6 USD.
      quotedUsd: '0.0006',
      actualUsd: '0.000002112',
      token: 'STX',
      // 0.000002112 / 0.6 × 10^6 = 3.52 → 4 µSTX.
      actualAmount: '4',
      outcome: 'completed',
      recordedAt: expect.any(String),
    });
  });
});
