/** aiClientFor: the binding if there is one, else REST at WORKERS_AI_URL, else a clear refusal. */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BindingAi } from './binding-ai';
import { type AiClient, AiError, aiClientFor } from './index';
import { RestAi } from './rest-ai';

afterEach(() => vi.restoreAllMocks());

async function refusals(client: AiClient): Promise<unknown[]> {
  const calls = [
    client.embed(['x']),
    client.chat({ model: '@cf/meta/llama-3.1-8b-instruct', messages: [] }),
    client.moderate('x'),
  ];
  return Promise.all(
    calls.map((call) =>
      call.then(
        () => 'resolved',
        (error: unknown) =>
          error instanceof AiError ? [error.code, error.message] : `not an AiError: ${error}`,
      ),
    ),
  );
}

describe('aiClientFor', () => {
  it('locally (wrangler.toml top level) is REST to the stand-in, account "local"', () => {
    expect(env.AI).toBeUndefined();
    const client = aiClientFor(env);
    expect(client).toBeInstanceOf(RestAi);
    expect((client as RestAi).modelUrl('@cf/baai/bge-base-en-v1.5')).toBe(
      'http://127.0.0.1:4010/client/v4/accounts/local/ai/run/@cf/baai/bge-base-en-v1.5',
    );
  });

  it('uses the AI binding whenever there is one', () => {
    const ai = { run: async () => ({}) } as unknown as Ai;
    expect(aiClientFor({ ...env, AI: ai })).toBeInstanceOf(BindingAi);
  });

  it('sends WORKERS_AI_API_TOKEN as the bearer token', async () => {
    const fetch = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(Response.json({ result: { response: 'safe' }, success: true }));
    await aiClientFor({ ...env, WORKERS_AI_API_TOKEN: 'cf-token' }).moderate('x');
    expect(fetch.mock.calls[0][1]?.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer cf-token',
    });
  });

  it('without a binding or a URL, every call fails with ai_unavailable saying what to set', async () => {
    const message =
      'Workers AI is not configured: there is no AI binding and WORKERS_AI_URL is empty (locally, run `npm run ai-standin` and set WORKERS_AI_URL=http://127.0.0.1:4010).';
    expect(await refusals(aiClientFor({ ...env, WORKERS_AI_URL: ' ' }))).toEqual([
      ['ai_unavailable', message],
      ['ai_unavailable', message],
      ['ai_unavailable', message],
    ]);
  });

  it('refuses a URL that is not http(s), and a URL without an account id', async () => {
    expect(
      (await refusals(aiClientFor({ ...env, WORKERS_AI_URL: 'ftp://ai.example' })))[0],
    ).toEqual([
      'ai_unavailable',
      'Workers AI is misconfigured: WORKERS_AI_URL must be an http(s) URL (got "ftp://ai.example").',
    ]);
    expect((await refusals(aiClientFor({ ...env, WORKERS_AI_ACCOUNT_ID: '' })))[0]).toEqual([
      'ai_unavailable',
      'Workers AI is misconfigured: WORKERS_AI_URL is set but WORKERS_AI_ACCOUNT_ID is empty.',
    ]);
  });
});
