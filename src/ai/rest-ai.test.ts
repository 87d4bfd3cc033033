/**
 * RestAi against a scripted Workers AI REST API (the global fetch, stubbed): the requests it makes,
 * how it batches, and how each failure becomes an AiError.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AiError } from './errors';
import { EMBEDDING_MODEL, MODERATION_MODEL } from './models';
import { RestAi } from './rest-ai';

const BASE_URL = 'https://ai.example';
const RUN_URL = `${BASE_URL}/client/v4/accounts/acct-1/ai/run`;

interface RecordedCall {
  url: string;
  method?: string;
  headers?: HeadersInit;
  body: Record<string, unknown>;
  signal?: AbortSignal | null;
}

/** Stubs the global fetch with `answer`, recording each request. */
function workersAi(answer: (call: RecordedCall, index: number) => Response | Promise<Response>) {
  const calls: RecordedCall[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const call: RecordedCall = {
      url: String(input),
      method: init?.method,
      headers: init?.headers,
      body: JSON.parse(String(init?.body)),
      signal: init?.signal,
    };
    calls.push(call);
    return answer(call, calls.length - 1);
  });
  return calls;
}

const ok = (result: unknown) => Response.json({ result, success: true, errors: [], messages: [] });

/** A 768-number vector whose first number says which text it is for (`text 7` -> 7). */
function vectorFor(text: string): number[] {
  const vector = new Array<number>(768).fill(0);
  vector[0] = Number(text.split(' ')[1]);
  return vector;
}

const embeddingsOf = (call: RecordedCall) => {
  const texts = call.body.text as string[];
  return ok({ shape: [texts.length, 768], data: texts.map(vectorFor) });
};

const client = (options: { token?: string; timeoutMs?: number } = {}) =>
  new RestAi({ baseUrl: `${BASE_URL}/`, accountId: 'acct-1', token: 'tok-123', ...options });

async function failureOf(promise: Promise<unknown>): Promise<AiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AiError);
  return error as AiError;
}

const details = (error: AiError) => ({
  code: error.code,
  message: error.message,
  status: error.status,
  upstreamCode: error.upstreamCode,
});

afterEach(() => vi.restoreAllMocks());

describe('RestAi requests', () => {
  it('embeds with one POST of the texts to the model run URL, JSON and bearer token', async () => {
    const calls = workersAi(embeddingsOf);
    expect(await client().embed(['text 1', 'text 2'])).toEqual([
      vectorFor('text 1'),
      vectorFor('text 2'),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      url: `${RUN_URL}/@cf/baai/bge-base-en-v1.5`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-123' },
      body: { text: ['text 1', 'text 2'] },
    });
    expect(calls[0].signal).toBeInstanceOf(AbortSignal);
  });

  it('sends no authorization header without a token (the stand-in needs none)', async () => {
    const calls = workersAi(embeddingsOf);
    await client({ token: '' }).embed(['text 1']);
    expect(calls[0].headers).toEqual({ 'content-type': 'application/json' });
  });

  it('splits 250 texts into calls of 100, 100 and 50, and keeps their order', async () => {
    const calls = workersAi(embeddingsOf);
    const texts = Array.from({ length: 250 }, (_, i) => `text ${i}`);
    const vectors = await client().embed(texts);
    expect(calls.map((call) => (call.body.text as string[]).length)).toEqual([100, 100, 50]);
    expect(calls.map((call) => (call.body.text as string[])[0])).toEqual([
      'text 0',
      'text 100',
      'text 200',
    ]);
    expect(vectors.map((vector) => vector[0])).toEqual(texts.map((_, i) => i));
  });

  it('makes no call for no texts', async () => {
    const calls = workersAi(embeddingsOf);
    expect(await client().embed([])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('chats with the given fields only, and answers response and usage', async () => {
    const calls = workersAi(() =>
      ok({
        response: 'Hello!',
        tool_calls: [],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 2,
          total_tokens: 14,
          prompt_tokens_details: {},
        },
      }),
    );
    const answer = await client().chat({
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 64,
      temperature: undefined,
    });
    expect(answer).toEqual({
      response: 'Hello!',
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    });
    expect(calls[0].url).toBe(`${RUN_URL}/@cf/meta/llama-3.1-8b-instruct`);
    expect(calls[0].body).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 64,
    });
  });

  it('streams: sends stream: true and hands back the event stream untouched', async () => {
    const events = 'data: {"response":"Hi"}\n\ndata: [DONE]\n\n';
    const calls = workersAi(
      () => new Response(events, { headers: { 'content-type': 'text/event-stream' } }),
    );
    const stream = await client().chat({
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      stream: true,
    });
    expect(calls[0].body).toEqual({
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.5,
      stream: true,
    });
    expect(await new Response(stream).text()).toBe(events);
  });

  it('moderates with one user message to Llama Guard and names the categories', async () => {
    const calls = workersAi(() =>
      ok({
        response: 'unsafe\nS10',
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      }),
    );
    expect(await client().moderate('some text')).toEqual({
      safe: false,
      flags: ['hate'],
      reason: 'Flagged as unsafe: Hate (S10).',
    });
    expect(calls[0].url).toBe(`${RUN_URL}/${MODERATION_MODEL}`);
    expect(calls[0].body).toEqual({ messages: [{ role: 'user', content: 'some text' }] });
  });

  it('puts the account id in the path escaped, and the model id as it is', () => {
    const rest = new RestAi({ baseUrl: 'http://127.0.0.1:4010///', accountId: 'a/b c' });
    expect(rest.modelUrl(EMBEDDING_MODEL)).toBe(
      'http://127.0.0.1:4010/client/v4/accounts/a%2Fb%20c/ai/run/@cf/baai/bge-base-en-v1.5',
    );
  });
});

describe('RestAi failures', () => {
  it('a 5xx with the Cloudflare envelope is ai_unavailable, with status and Workers AI code', async () => {
    workersAi(() =>
      Response.json(
        {
          result: null,
          success: false,
          errors: [{ code: 3043, message: 'Internal server error' }],
          messages: [],
        },
        { status: 500 },
      ),
    );
    expect(details(await failureOf(client().embed(['text 1'])))).toEqual({
      code: 'ai_unavailable',
      message:
        'Workers AI refused @cf/baai/bge-base-en-v1.5 with HTTP 500: 3043: Internal server error.',
      status: 500,
      upstreamCode: 3043,
    });
  });

  it('a 5xx that is not JSON is ai_unavailable, quoting the body', async () => {
    workersAi(() => new Response('upstream connect error', { status: 502 }));
    expect(details(await failureOf(client().moderate('x')))).toEqual({
      code: 'ai_unavailable',
      message:
        'Workers AI refused @cf/meta/llama-guard-3-8b with HTTP 502: "upstream connect error".',
      status: 502,
      upstreamCode: undefined,
    });
  });

  it('a 429 and an unknown model keep Workers AI’s words, one full stop', async () => {
    workersAi((_, index) =>
      index === 0
        ? Response.json(
            {
              success: false,
              errors: [{ code: 3040, message: 'Capacity temporarily exceeded, please try again.' }],
            },
            { status: 429 },
          )
        : Response.json(
            { success: false, errors: [{ code: 5007, message: 'No such model @cf/x/y or task' }] },
            { status: 400 },
          ),
    );
    expect(details(await failureOf(client().embed(['text 1'])))).toEqual({
      code: 'ai_unavailable',
      message:
        'Workers AI refused @cf/baai/bge-base-en-v1.5 with HTTP 429: 3040: Capacity temporarily exceeded, please try again.',
      status: 429,
      upstreamCode: 3040,
    });
    const chat = client().chat({
      model: '@cf/x/y',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    expect(details(await failureOf(chat))).toEqual({
      code: 'ai_unavailable',
      message: 'Workers AI refused @cf/x/y with HTTP 400: 5007: No such model @cf/x/y or task.',
      status: 400,
      upstreamCode: 5007,
    });
  });

  it('a 200 with success: false is a refusal too', async () => {
    workersAi(() =>
      Response.json({
        result: null,
        success: false,
        errors: [{ code: 5006, message: 'bad input' }],
      }),
    );
    expect(details(await failureOf(client().embed(['text 1'])))).toMatchObject({
      code: 'ai_unavailable',
      status: 200,
      upstreamCode: 5006,
    });
  });

  it('a failed batch stops the rest', async () => {
    const calls = workersAi((call, index) =>
      index === 1 ? new Response('busy', { status: 503 }) : embeddingsOf(call),
    );
    const texts = Array.from({ length: 250 }, (_, i) => `text ${i}`);
    expect((await failureOf(client().embed(texts))).status).toBe(503);
    expect(calls).toHaveLength(2);
  });

  it('a 200 that is not JSON, or not the envelope, is ai_bad_response', async () => {
    workersAi((_, index) =>
      index === 0 ? new Response('<html>oops</html>') : Response.json({ data: [[1]] }),
    );
    expect(details(await failureOf(client().embed(['text 1'])))).toEqual({
      code: 'ai_bad_response',
      message:
        'Workers AI answered @cf/baai/bge-base-en-v1.5 with "<html>oops</html>", not the {result, success} envelope.',
      status: 200,
      upstreamCode: undefined,
    });
    expect((await failureOf(client().embed(['text 1']))).code).toBe('ai_bad_response');
  });

  it('embeddings of the wrong length or count are ai_bad_response', async () => {
    workersAi((_, index) =>
      index === 0
        ? ok({ shape: [1, 3], data: [[1, 2, 3]] })
        : ok({ shape: [1, 768], data: [vectorFor('text 1')] }),
    );
    expect(details(await failureOf(client().embed(['text 1'])))).toEqual({
      code: 'ai_bad_response',
      message:
        '@cf/baai/bge-base-en-v1.5 answered {"shape":[1,3],"data":[[1,2,3]]}; expected `data` of 1 × 768 numbers.',
      status: undefined,
      upstreamCode: undefined,
    });
    expect((await failureOf(client().embed(['text 1', 'text 2']))).message).toBe(
      `@cf/baai/bge-base-en-v1.5 answered ${JSON.stringify({ shape: [1, 768], data: [vectorFor('text 1')] }).slice(0, 120)}; expected \`data\` of 2 × 768 numbers.`,
    );
  });

  it('a chat answer without usage, and a verdict that is not one, are ai_bad_response', async () => {
    workersAi((_, index) =>
      index === 0 ? ok({ response: 'Hi' }) : ok({ response: 'probably fine' }),
    );
    const chat = client().chat({ model: '@cf/meta/llama-3.1-8b-instruct', messages: [] });
    expect(details(await failureOf(chat))).toEqual({
      code: 'ai_bad_response',
      message:
        '@cf/meta/llama-3.1-8b-instruct answered {"response":"Hi"}; expected `response` text and `usage` token counts.',
      status: undefined,
      upstreamCode: undefined,
    });
    expect((await failureOf(client().moderate('x'))).message).toBe(
      '@cf/meta/llama-guard-3-8b answered "probably fine", which is not a Llama Guard verdict ("safe" or "unsafe" and categories).',
    );
  });

  it('a streaming request answered with JSON is ai_bad_response', async () => {
    workersAi(() => ok({ response: 'Hi' }));
    const stream = client().chat({
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    expect((await failureOf(stream)).message).toBe(
      'Workers AI answered a streaming @cf/meta/llama-3.1-8b-instruct request with application/json, not text/event-stream.',
    );
  });

  it('an unreachable host is ai_unavailable', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Network connection lost.'));
    expect(details(await failureOf(client().embed(['text 1'])))).toEqual({
      code: 'ai_unavailable',
      message: 'Workers AI at https://ai.example could not be reached (Network connection lost.).',
      status: undefined,
      upstreamCode: undefined,
    });
  });

  it('no answer within the timeout is ai_timeout, and the request is aborted', async () => {
    const calls = workersAi(
      (call) =>
        new Promise<Response>((_, reject) => {
          call.signal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          );
        }),
    );
    expect(details(await failureOf(client({ timeoutMs: 30 }).embed(['text 1'])))).toEqual({
      code: 'ai_timeout',
      message:
        'Workers AI (@cf/baai/bge-base-en-v1.5) did not answer within 30 ms; try again later.',
      status: undefined,
      upstreamCode: undefined,
    });
    expect(calls[0].signal?.aborted).toBe(true);
  });

  it('times out even when the request ignores its abort signal', async () => {
    workersAi(() => new Promise<Response>(() => {}));
    const chat = client({ timeoutMs: 30 }).chat({
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect((await failureOf(chat)).code).toBe('ai_timeout');
  });
});
