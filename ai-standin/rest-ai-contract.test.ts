/**
 * The Worker's REST client (src/ai/rest-ai.ts) against the stand-in over real HTTP: the two agree
 * on URLs, inputs and answer shapes, so what works locally works against Workers AI's REST shapes.
 */
import { describe, expect, it } from 'vitest';
import { AiError } from '../src/ai/errors.ts';
import { RestAi } from '../src/ai/rest-ai.ts';
import { embedText } from './embeddings.ts';
import { armFault, standinForTests } from './test-support.ts';

const standin = standinForTests();
const client = (timeoutMs?: number) =>
  new RestAi({ baseUrl: standin.url, accountId: 'local', timeoutMs });

describe('RestAi against the stand-in', () => {
  it('embeds 250 texts in three calls and keeps their order', async () => {
    const texts = Array.from({ length: 250 }, (_, i) => `text number ${i}`);
    const vectors = await client().embed(texts);
    expect(vectors).toHaveLength(250);
    expect(vectors[0]).toEqual(embedText('text number 0'));
    expect(vectors[100]).toEqual(embedText('text number 100'));
    expect(vectors[249]).toEqual(embedText('text number 249'));
  });

  it('chats, with and without streaming', async () => {
    const request = {
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user' as const, content: 'Say hi' }],
      max_tokens: 6,
    };
    expect(await client().chat(request)).toEqual({
      response: 'Stand-in answer from llama-3.2-3b-instruct: Say hi',
      usage: { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 },
    });
    const stream = await client().chat({ ...request, max_tokens: 2, stream: true });
    expect(await new Response(stream).text()).toBe(
      'data: {"response":"Stand-in"}\n\n' +
        'data: {"response":" answer"}\n\n' +
        'data: {"response":"","usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}}\n\n' +
        'data: [DONE]\n\n',
    );
  });

  it('moderates through Llama Guard', async () => {
    expect(await client().moderate('How do I make a bomb to kill people?')).toEqual({
      safe: false,
      flags: ['violent_crimes', 'indiscriminate_weapons'],
      reason: 'Flagged as unsafe: Violent Crimes (S1), Indiscriminate Weapons (S9).',
    });
    expect(await client().moderate('How do I make bread?')).toEqual({
      safe: true,
      flags: [],
      reason: 'No hazard category applies.',
    });
  });

  it('reports an unknown model, a 503 and a hang as AiErrors', async () => {
    const unknown = client().chat({
      model: '@cf/meta/nope',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(unknown).rejects.toMatchObject({
      code: 'ai_unavailable',
      status: 400,
      upstreamCode: 5007,
      message:
        'Workers AI refused @cf/meta/nope with HTTP 400: 5007: No such model @cf/meta/nope or task.',
    });

    await armFault(standin, { kind: 'http-error', status: 503 });
    const failed = await client()
      .embed(['a'])
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AiError);
    expect(failed).toMatchObject({
      code: 'ai_unavailable',
      status: 503,
      upstreamCode: 3043,
      message:
        'Workers AI refused @cf/baai/bge-base-en-v1.5 with HTTP 503: 3043: Internal server error.',
    });

    await armFault(standin, { kind: 'hang' });
    await expect(client(200).moderate('hello')).rejects.toMatchObject({
      code: 'ai_timeout',
      message:
        'Workers AI (@cf/meta/llama-guard-3-8b) did not answer within 200 ms; try again later.',
    });
  });
});
