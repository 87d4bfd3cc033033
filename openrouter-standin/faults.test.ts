/** Fault injection on the stand-in: each armed fault produces the unhappy path it names. */
import { describe, expect, it } from 'vitest';
import { armFault, chat, request, sseFrames, standinForTests } from './test-support.ts';

const standin = standinForTests();
const question = {
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is x402?' }],
};
const ask = () => chat(standin, question);
const askStreamed = () => chat(standin, { ...question, stream: true });

describe('faults', () => {
  it('rate-limit: 429 with retry-after for the next requests, then recovery', async () => {
    expect(
      await armFault(standin, { kind: 'rate-limit', retryAfterSeconds: 7, times: 2 }),
    ).toMatchObject({
      status: 200,
      body: [{ kind: 'rate-limit', retryAfterSeconds: 7, times: 2 }],
    });
    for (const _ of [1, 2]) {
      const limited = await ask();
      expect([limited.status, limited.headers.get('retry-after'), limited.body]).toEqual([
        429,
        '7',
        { error: { code: 429, message: 'Rate limit exceeded' } },
      ]);
    }
    expect((await ask()).status).toBe(200);
  });

  it('rate-limit: retry-after defaults to 1 second', async () => {
    await armFault(standin, { kind: 'rate-limit' });
    expect((await askStreamed()).headers.get('retry-after')).toBe('1');
  });

  it('http-error: 502 "Provider returned error" with provider metadata; 503 and 500 worded as OpenRouter', async () => {
    await armFault(standin, { kind: 'http-error', status: 502 });
    await armFault(standin, { kind: 'http-error', status: 503 });
    await armFault(standin, { kind: 'http-error', status: 500, message: 'Upstream exploded' });
    const bad = await ask();
    expect([bad.status, bad.body]).toEqual([
      502,
      {
        error: {
          code: 502,
          message: 'Provider returned error',
          metadata: { provider_name: 'OpenAI', raw: 'upstream connection reset' },
        },
      },
    ]);
    const unavailable = await askStreamed();
    expect([unavailable.status, unavailable.body]).toEqual([
      503,
      {
        error: {
          code: 503,
          message: 'No allowed providers are available for the selected model.',
        },
      },
    ]);
    const custom = await ask();
    expect([custom.status, custom.body]).toEqual([
      500,
      { error: { code: 500, message: 'Upstream exploded' } },
    ]);
    expect((await ask()).status).toBe(200);
  });

  it('hang: the next request is never answered, the one after is', async () => {
    await armFault(standin, { kind: 'hang' });
    await expect(
      chat(standin, question, { signal: AbortSignal.timeout(300) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await ask()).status).toBe(200);
  });

  it('delay: the next request is answered normally, late', async () => {
    await armFault(standin, { kind: 'delay', ms: 400 });
    const started = performance.now();
    const late = await ask();
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(late.status).toBe(200);
    const body = late.body as { choices: { message: { content: string } }[] };
    expect(body.choices[0].message.content).toMatch(/^Speak for themselves/);
  });

  it('mid-stream-error: HTTP 200, N words, then the error chunk, and no [DONE]', async () => {
    await armFault(standin, { kind: 'mid-stream-error', afterChunks: 2 });
    const answer = await askStreamed();
    expect(answer.status).toBe(200);
    const frames = sseFrames(answer.body as string);
    const head = frames[2] as { id: string; created: number };
    const word = (content: string) => ({
      id: head.id,
      provider: 'OpenAI',
      model: 'openai/gpt-4o-mini',
      object: 'chat.completion.chunk',
      created: head.created,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content },
          finish_reason: null,
          native_finish_reason: null,
          logprobs: null,
        },
      ],
    });
    expect(frames).toEqual([
      ': OPENROUTER PROCESSING',
      ': OPENROUTER PROCESSING',
      word('Speak'),
      word(' for'),
      {
        id: head.id,
        object: 'chat.completion.chunk',
        created: head.created,
        model: 'openai/gpt-4o-mini',
        provider: 'OpenAI',
        error: { code: 502, message: 'Provider disconnected unexpectedly' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      },
    ]);
    const generation = await request(standin, 'GET', `/api/v1/generation?id=${head.id}`);
    expect((generation.body as { data: unknown }).data).toMatchObject({
      streamed: true,
      finish_reason: 'error',
      tokens_completion: 2,
      // 4 × 0.00000015 + 2 × 0.0000006
      total_cost: 0.0000018,
    });
  });

  it('mid-stream-error: code and message can be set, as the docs example sends "server_error"', async () => {
    await armFault(standin, {
      kind: 'mid-stream-error',
      afterChunks: 0,
      code: 'server_error',
      message: 'Upstream went away',
    });
    const frames = sseFrames((await askStreamed()).body as string);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toMatchObject({
      error: { code: 'server_error', message: 'Upstream went away' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
  });

  it('mid-stream-error waits for a streamed request; JSON requests pass it by', async () => {
    await armFault(standin, { kind: 'mid-stream-error', afterChunks: 1 });
    await armFault(standin, { kind: 'delay', ms: 1 });
    expect((await ask()).status).toBe(200); // takes the delay, not the mid-stream error
    expect((await request(standin, 'GET', '/openrouter-standin/faults')).body).toEqual([
      { kind: 'mid-stream-error', afterChunks: 1, times: 1 },
    ]);
    expect((await ask()).status).toBe(200);
    const frames = sseFrames((await askStreamed()).body as string);
    expect(frames.at(-1)).toMatchObject({ choices: [{ finish_reason: 'error' }] });
    expect((await request(standin, 'GET', '/openrouter-standin/faults')).body).toEqual([]);
  });

  it('hold-stream: the first frames arrive, the rest only once released; JSON requests pass it by', async () => {
    await armFault(standin, { kind: 'hold-stream', frames: 3 });
    expect((await ask()).status).toBe(200);
    const response = await fetch(`${standin.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-test', 'content-type': 'application/json' },
      body: JSON.stringify({ ...question, max_tokens: 5, stream: true }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"content":"Speak"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    const id = response.headers.get('x-generation-id');
    // 2 comments and 5 words, the finish chunk, the usage chunk, [DONE]: 10 frames.
    expect((await request(standin, 'GET', '/openrouter-standin/held')).body).toEqual({
      held: [{ id, sent: 3, total: 10 }],
    });
    expect(sseFrames(text)).toHaveLength(3);
    const released = await request(standin, 'POST', '/openrouter-standin/release');
    expect(released.body).toEqual({ released: [{ id, sent: 3, total: 10 }] });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(sseFrames(text)).toHaveLength(10);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect((await request(standin, 'GET', '/openrouter-standin/held')).body).toEqual({ held: [] });
  });

  it('hold-stream: a client that goes away ends the hold', async () => {
    await armFault(standin, { kind: 'hold-stream', frames: 0 });
    const controller = new AbortController();
    const response = await fetch(`${standin.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-test', 'content-type': 'application/json' },
      body: JSON.stringify({ ...question, stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(standin.held.list()).toHaveLength(1);
    controller.abort();
    await expect.poll(() => standin.held.list()).toEqual([]);
  });

  it('applies only to requests that would be answered: not to 401s, 400s, /health or the model list', async () => {
    await armFault(standin, { kind: 'http-error', status: 500 });
    expect((await chat(standin, question, { key: null })).status).toBe(401);
    expect((await chat(standin, { ...question, model: 'nope/nope' })).status).toBe(400);
    expect((await request(standin, 'GET', '/health')).status).toBe(200);
    expect((await request(standin, 'GET', '/api/v1/models')).status).toBe(200);
    expect((await request(standin, 'GET', '/openrouter-standin/faults')).body).toEqual([
      { kind: 'http-error', status: 500, times: 1 },
    ]);
    expect((await ask()).status).toBe(500);
  });

  it('lists armed faults with the requests they have left, and DELETE disarms them all', async () => {
    await armFault(standin, { kind: 'delay', ms: 1, times: 3 });
    await armFault(standin, { kind: 'hang', times: 2 });
    await ask();
    expect((await request(standin, 'GET', '/openrouter-standin/faults')).body).toEqual([
      { kind: 'delay', ms: 1, times: 2 },
      { kind: 'hang', times: 2 },
    ]);
    const cleared = await request(standin, 'DELETE', '/openrouter-standin/faults');
    expect([cleared.status, cleared.body]).toEqual([200, []]);
    expect((await ask()).status).toBe(200);
  });

  it('refuses a fault it does not know, or one missing its fields', async () => {
    const refusal = async (fault: unknown) => {
      const answer = await request(standin, 'POST', '/openrouter-standin/faults', { body: fault });
      return [answer.status, answer.body];
    };
    expect(await refusal({ kind: 'explode' })).toEqual([
      400,
      {
        error:
          'unknown fault kind "explode"; expected "rate-limit", "http-error", "hang", "delay", "mid-stream-error" or "hold-stream"',
      },
    ]);
    expect(await refusal({ kind: 'http-error', status: 429 })).toEqual([
      400,
      { error: '"http-error" needs a "status" between 500 and 599 (use "rate-limit" for 429)' },
    ]);
    expect(await refusal({ kind: 'delay' })).toEqual([
      400,
      { error: '"delay" needs "ms" (whole milliseconds)' },
    ]);
    expect(await refusal({ kind: 'rate-limit', retryAfterSeconds: -1 })).toEqual([
      400,
      { error: '"retryAfterSeconds" must be a whole number >= 0' },
    ]);
    expect(await refusal({ kind: 'mid-stream-error', afterChunks: 1.5 })).toEqual([
      400,
      { error: '"afterChunks" must be a whole number >= 0' },
    ]);
    expect(await refusal({ kind: 'hold-stream', frames: -1 })).toEqual([
      400,
      { error: '"frames" must be a whole number >= 0' },
    ]);
    expect(await refusal({ kind: 'hang', times: 0 })).toEqual([
      400,
      { error: '"times" must be a whole number >= 1' },
    ]);
    expect((await request(standin, 'GET', '/openrouter-standin/faults')).body).toEqual([]);
  });
});
