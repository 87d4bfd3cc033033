/** Keys over real HTTP: 401 without one (or with the revoked one), 402 with the one out of credits. */
import { describe, expect, it } from 'vitest';
import { chat, request, standinForTests } from './test-support.ts';

const standin = standinForTests();
const question = {
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is x402?' }],
};

describe('authentication', () => {
  it('answers 401 "No auth credentials found" without a bearer key, or with an empty one', async () => {
    const unauthorized = [401, { error: { code: 401, message: 'No auth credentials found' } }];
    const missing = await chat(standin, question, { key: null });
    expect([missing.status, missing.body]).toEqual(unauthorized);
    const empty = await chat(standin, question, { key: '  ' });
    expect([empty.status, empty.body]).toEqual(unauthorized);
    const response = await fetch(`${standin.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify(question),
    });
    expect([response.status, await response.json()]).toEqual(unauthorized);
  });

  it('answers 401 "User not found." for the revoked key sk-or-invalid', async () => {
    const answer = await chat(standin, question, { key: 'sk-or-invalid' });
    expect([answer.status, answer.body]).toEqual([
      401,
      { error: { code: 401, message: 'User not found.' } },
    ]);
  });

  it('answers 402 for the key sk-or-no-credits, after validating the request', async () => {
    const answer = await chat(standin, question, { key: 'sk-or-no-credits' });
    expect([answer.status, answer.body]).toEqual([
      402,
      {
        error: {
          code: 402,
          message:
            'Insufficient credits. This account never purchased credits. Add more using ' +
            'https://openrouter.ai/settings/credits',
        },
      },
    ]);
    const invalid = await chat(
      standin,
      { ...question, model: 'nope/nope' },
      {
        key: 'sk-or-no-credits',
      },
    );
    expect(invalid.status).toBe(400);
  });

  it('accepts any other key, and needs none for the model list', async () => {
    expect((await chat(standin, question, { key: 'sk-or-local' })).status).toBe(200);
    expect((await chat(standin, question, { key: 'sk-or-v1-0123456789abcdef' })).status).toBe(200);
    expect((await request(standin, 'GET', '/api/v1/models', { key: null })).status).toBe(200);
  });

  it('guards generation lookups too', async () => {
    const answer = await request(standin, 'GET', '/api/v1/generation?id=gen-1-x', { key: null });
    expect([answer.status, answer.body]).toEqual([
      401,
      { error: { code: 401, message: 'No auth credentials found' } },
    ]);
  });
});
