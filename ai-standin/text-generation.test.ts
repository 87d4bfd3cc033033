/** The chat models on the stand-in, over real HTTP: JSON and server-sent event answers. */
import { describe, expect, it } from 'vitest';
import { request, runModel, standinForTests } from './test-support.ts';

const standin = standinForTests();
const LLAMA_8B = '@cf/meta/llama-3.1-8b-instruct';
const LLAMA_3B = '@cf/meta/llama-3.2-3b-instruct';

const conversation = [
  { role: 'system', content: 'Answer in one sentence.' },
  { role: 'user', content: 'Hello there' },
  { role: 'assistant', content: 'Hi!' },
  { role: 'user', content: 'What  is\nx402?' },
];

describe('chat models', () => {
  it('answer with the model name and the last user message, and usage in words', async () => {
    expect(await runModel(standin, LLAMA_8B, { messages: conversation })).toEqual({
      status: 200,
      contentType: 'application/json',
      body: {
        result: {
          response: 'Stand-in answer from llama-3.1-8b-instruct: What is x402?',
          // 4 + 2 + 1 + 3 words in, 7 out.
          usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 },
        },
        success: true,
        errors: [],
        messages: [],
      },
    });
  });

  it('name the model that answered', async () => {
    const answer = await runModel(standin, LLAMA_3B, {
      messages: [{ role: 'user', content: 'ping' }],
      temperature: 0.2,
    });
    expect((answer.body as { result: unknown }).result).toEqual({
      response: 'Stand-in answer from llama-3.2-3b-instruct: ping',
      usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 },
    });
  });

  it('read a `prompt` as one user message', async () => {
    const answer = await runModel(standin, LLAMA_8B, { prompt: 'where is new york?' });
    expect((answer.body as { result: unknown }).result).toEqual({
      response: 'Stand-in answer from llama-3.1-8b-instruct: where is new york?',
      usage: { prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 },
    });
  });

  it('stop at max_tokens words', async () => {
    const answer = await runModel(standin, LLAMA_8B, { messages: conversation, max_tokens: 3 });
    expect((answer.body as { result: unknown }).result).toEqual({
      response: 'Stand-in answer from',
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
    });
  });

  it('stream server-sent events: one per word, then the usage, then [DONE]', async () => {
    const answer = await runModel(standin, LLAMA_8B, {
      messages: [{ role: 'user', content: 'Tell me about x402' }],
      max_tokens: 6,
      stream: true,
    });
    expect(answer).toEqual({
      status: 200,
      contentType: 'text/event-stream',
      body:
        'data: {"response":"Stand-in"}\n\n' +
        'data: {"response":" answer"}\n\n' +
        'data: {"response":" from"}\n\n' +
        'data: {"response":" llama-3.1-8b-instruct:"}\n\n' +
        'data: {"response":" Tell"}\n\n' +
        'data: {"response":" me"}\n\n' +
        'data: {"response":"","usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}\n\n' +
        'data: [DONE]\n\n',
    });
  });

  it('refuse inputs Workers AI refuses, with code 5006', async () => {
    const refusal = async (inputs: unknown) => {
      const answer = await runModel(standin, LLAMA_8B, inputs);
      const body = answer.body as { success: boolean; errors: { code: number; message: string }[] };
      return [answer.status, body.success, body.errors[0].code, body.errors[0].message];
    };
    expect(await refusal({})).toEqual([
      400,
      false,
      5006,
      "AiError: Bad input: Error: oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt', required properties at '/' are 'messages'",
    ]);
    expect(await refusal({ messages: [{ role: 'user' }] })).toEqual([
      400,
      false,
      5006,
      "AiError: Bad input: Error: required properties at '/messages/0' are 'role,content' (strings)",
    ]);
    expect(await refusal({ prompt: 'hi', max_tokens: 0 })).toEqual([
      400,
      false,
      5006,
      "AiError: Bad input: Error: '/max_tokens' must be an integer >= 1",
    ]);
  });
});

describe('the REST surface', () => {
  it('refuses an unknown model as Workers AI does: 400, code 5007', async () => {
    expect(await runModel(standin, '@cf/meta/llama-9-1b', { prompt: 'hi' })).toEqual({
      status: 400,
      contentType: 'application/json',
      body: {
        result: null,
        success: false,
        errors: [{ code: 5007, message: 'No such model @cf/meta/llama-9-1b or task' }],
        messages: [],
      },
    });
  });

  it('refuses a body that is not JSON with code 3003', async () => {
    const answer = await request(
      standin,
      'POST',
      `/client/v4/accounts/local/ai/run/${LLAMA_8B}`,
      undefined,
      {
        body: 'not json',
      },
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { errors: unknown }).errors).toEqual([
      { code: 3003, message: 'Request is missing headers or body: body' },
    ]);
  });

  it('answers any other path with the Cloudflare API 404 (code 7000)', async () => {
    expect(await request(standin, 'GET', `/client/v4/accounts/local/ai/run/${LLAMA_8B}`)).toEqual({
      status: 404,
      contentType: 'application/json',
      body: {
        result: null,
        success: false,
        errors: [{ code: 7000, message: 'No route for that URI' }],
        messages: [],
      },
    });
  });

  it('answers GET /health with the models it serves', async () => {
    expect(await request(standin, 'GET', '/health')).toEqual({
      status: 200,
      contentType: 'application/json',
      body: {
        status: 'ok',
        models: [
          '@cf/baai/bge-base-en-v1.5',
          '@cf/meta/llama-3.1-8b-instruct',
          '@cf/meta/llama-3.2-3b-instruct',
          '@cf/meta/llama-guard-3-8b',
        ],
      },
    });
  });
});
