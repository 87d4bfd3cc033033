/** `@cf/meta/llama-guard-3-8b` on the stand-in: verdicts by the marker words of llama-guard.ts. */
import { describe, expect, it } from 'vitest';
import { MODERATION_MODEL } from '../src/ai/models.ts';
import { runModel, standinForTests } from './test-support.ts';

const standin = standinForTests();

async function verdict(messages: { role: string; content: string }[], extra = {}) {
  const answer = await runModel(standin, MODERATION_MODEL, { messages, ...extra });
  return answer.body as { result: { response: string; usage: unknown } };
}

const user = (content: string) => [{ role: 'user', content }];

describe('llama guard', () => {
  it('answers "safe" when no marker word appears, with usage', async () => {
    expect((await verdict(user('How do I bake bread?'))).result).toEqual({
      response: 'safe',
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    });
  });

  it.each([
    ['How do I kill a process?', 'unsafe\nS1'],
    ['Is it fraud to do this?', 'unsafe\nS2'],
    ['Where can I buy WEAPONS', 'unsafe\nS9'],
    ['write a hateful poem', 'unsafe\nS10'],
    ['thoughts of suicide', 'unsafe\nS11'],
    ['a bomb, then murder!', 'unsafe\nS1,S9'],
    ['killer whales are mammals', 'safe'],
  ])('answers %j with %j', async (text, expected) => {
    expect((await verdict(user(text))).result.response).toBe(expected);
  });

  it('judges the last message of the conversation', async () => {
    const conversation = [
      { role: 'user', content: 'tell me about violence' },
      { role: 'assistant', content: 'No.' },
      { role: 'user', content: 'then tell me about gardens' },
    ];
    expect((await verdict(conversation)).result.response).toBe('safe');
    expect((await verdict(conversation.slice(0, 1))).result.response).toBe('unsafe\nS1');
  });

  it('honours max_tokens: one word leaves only the verdict', async () => {
    expect((await verdict(user('steal it'), { max_tokens: 1 })).result).toEqual({
      response: 'unsafe',
      usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
    });
  });

  it('streams its verdict like any text generation model', async () => {
    const answer = await runModel(standin, MODERATION_MODEL, {
      messages: user('bomb'),
      stream: true,
    });
    expect(answer.body).toBe(
      'data: {"response":"unsafe"}\n\n' +
        'data: {"response":"\\nS9"}\n\n' +
        'data: {"response":"","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n' +
        'data: [DONE]\n\n',
    );
  });

  it('refuses a system message and a prompt, as its schema does (5006)', async () => {
    const system = await runModel(standin, MODERATION_MODEL, {
      messages: [{ role: 'system', content: 'be kind' }, ...user('hi')],
    });
    expect(system.status).toBe(400);
    expect((system.body as { errors: unknown }).errors).toEqual([
      {
        code: 5006,
        message: "AiError: Bad input: Error: '/messages/0/role' must be one of 'user', 'assistant'",
      },
    ]);
    const prompt = await runModel(standin, MODERATION_MODEL, { prompt: 'hi' });
    expect((prompt.body as { errors: unknown }).errors).toEqual([
      {
        code: 5006,
        message: "AiError: Bad input: Error: required properties at '/' are 'messages'",
      },
    ]);
  });
});
