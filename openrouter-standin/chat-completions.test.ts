/**
 * `POST /api/v1/chat/completions` as JSON over real HTTP: the deterministic reply, usage and cost
 * (README: tokens and cost), `max_tokens`, and the 400s OpenRouter answers before a model runs.
 */
import { describe, expect, it } from 'vitest';
import { chat, standinForTests } from './test-support.ts';

const standin = standinForTests();

/** The reply to "What is x402?": 24 words from VOCABULARY[50] ('speak'), FNV-1a 0xd89e2032 % 64. */
const WHAT_IS_X402_REPLY =
  'Speak for themselves across blocks confirmed by miners who keep history honest today again ' +
  'the ledger settles each payment on chain while a careful.';
/** The reply to "Tell me a story": from VOCABULARY[26] ('from'), FNV-1a 0x6a563e1a % 64. */
const STORY_REPLY =
  'From wallet to merchant before work began then answers arrive quickly with usage counted ' +
  'plainly in small units nobody needs an account because signatures.';

const usage = (prompt: number, completion: number, cost: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  cost,
  is_byok: false,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
  cost_details: { upstream_inference_cost: null },
});

type Completion = {
  id: string;
  created: number;
  choices: { finish_reason: string; native_finish_reason: string; message: { content: string } }[];
  usage: { completion_tokens: number; cost: number };
};

describe('chat completions (JSON)', () => {
  it('answers the deterministic reply with usage and cost at the model prices', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await chat(standin, {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
    });
    expect(answer.status).toBe(200);
    const body = answer.body as Completion;
    expect(body).toEqual({
      id: body.id,
      provider: 'OpenAI',
      model: 'openai/gpt-4o-mini',
      object: 'chat.completion',
      created: body.created,
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: 'stop',
          native_finish_reason: 'stop',
          message: { role: 'assistant', content: WHAT_IS_X402_REPLY, refusal: null },
        },
      ],
      // 13 characters: ceil(13 / 4) = 4 prompt tokens; 24 words. 4 × 0.00000015 + 24 × 0.0000006.
      usage: usage(4, 24, 0.000015),
    });
    expect(body.id).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(answer.headers.get('x-generation-id')).toBe(body.id);
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.created).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('counts ceil(ASCII characters / 4) per message and answers the last user message', async () => {
    const answer = await chat(standin, {
      model: 'anthropic/claude-3.5-haiku',
      messages: [
        { role: 'system', content: 'You answer in one sentence.' }, // 27 chars: 7 tokens
        { role: 'user', content: 'Hello' }, // 5: 2
        { role: 'assistant', content: 'Hi! How can I help?' }, // 19: 5
        { role: 'user', content: 'Tell me a story' }, // 15: 4
      ],
      temperature: 0.7,
    });
    const body = answer.body as Completion;
    expect(body.choices[0]).toEqual({
      index: 0,
      logprobs: null,
      finish_reason: 'stop',
      native_finish_reason: 'end_turn',
      message: { role: 'assistant', content: STORY_REPLY, refusal: null },
    });
    // 18 × 0.0000008 + 24 × 0.000004
    expect(body.usage).toEqual(usage(18, 24, 0.0001104));
  });

  it('computes cost in exact decimal (not 7.999999999999999e-7) and 0 on a :free model', async () => {
    const question = { messages: [{ role: 'user', content: 'What is x402?' }] };
    const llama = await chat(standin, { ...question, model: 'meta-llama/llama-3.1-8b-instruct' });
    // 4 × 0.00000002 + 24 × 0.00000003
    expect((llama.body as Completion).usage).toEqual(usage(4, 24, 0.0000008));
    const free = await chat(standin, {
      ...question,
      model: 'meta-llama/llama-3.2-3b-instruct:free',
    });
    expect((free.body as Completion).usage).toEqual(usage(4, 24, 0));
  });

  it('stops at exactly max_tokens words with finish_reason "length" and the native reason', async () => {
    const answer = await chat(standin, {
      model: 'anthropic/claude-3.5-haiku',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      max_tokens: 5,
    });
    const body = answer.body as Completion;
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'length',
      native_finish_reason: 'max_tokens',
      message: { content: 'From wallet to merchant before' },
    });
    expect(body.usage).toEqual(usage(4, 5, 0.0000232));

    const gemini = await chat(standin, {
      model: 'google/gemini-flash-1.5',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      max_tokens: 1,
    });
    expect((gemini.body as Completion).choices[0]).toMatchObject({
      finish_reason: 'length',
      native_finish_reason: 'MAX_TOKENS',
      message: { content: 'From' },
    });
    expect((gemini.body as Completion).usage.completion_tokens).toBe(1);
  });

  it('answers the full reply with "stop" when max_tokens leaves room for it', async () => {
    for (const maxTokens of [24, 16384]) {
      const answer = await chat(standin, {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is x402?' }],
        max_tokens: maxTokens,
      });
      const body = answer.body as Completion;
      expect(body.choices[0].finish_reason).toBe('stop');
      expect(body.choices[0].message.content).toBe(WHAT_IS_X402_REPLY);
      expect(body.usage.completion_tokens).toBe(24);
    }
  });

  it('reads content given as text parts as their joined text', async () => {
    const answer = await chat(standin, {
      model: 'openai/gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is ' },
            { type: 'text', text: 'x402?' },
          ],
        },
      ],
    });
    const body = answer.body as Completion;
    expect(body.choices[0].message.content).toBe(WHAT_IS_X402_REPLY);
    expect(body.usage).toEqual(usage(4, 24, 0.000015));
  });
});

describe('chat completions refused before the model runs (400)', () => {
  const refusal = async (body: unknown) => {
    const answer = await chat(standin, body);
    return [answer.status, answer.body];
  };
  const hello = [{ role: 'user', content: 'hello' }];

  it('refuses an unknown model as OpenRouter does', async () => {
    expect(await refusal({ model: 'openai/gpt-9', messages: hello })).toEqual([
      400,
      { error: { code: 400, message: 'openai/gpt-9 is not a valid model ID' } },
    ]);
    expect(await refusal({ messages: hello })).toEqual([
      400,
      {
        error: {
          code: 400,
          message: '"model" is required: a model ID such as openai/gpt-4o-mini',
        },
      },
    ]);
  });

  it('refuses missing, empty or malformed messages', async () => {
    const model = 'openai/gpt-4o-mini';
    const message = async (body: unknown) =>
      ((await refusal(body))[1] as { error: { message: string } }).error.message;
    expect(await message({ model })).toBe(
      '"messages" must be a non-empty array of {role, content}',
    );
    expect(await message({ model, messages: [] })).toBe(
      '"messages" must be a non-empty array of {role, content}',
    );
    expect(await message({ model, messages: [{ role: 'user' }] })).toBe(
      'messages[0].content must be a string or an array of {type: "text", text} parts',
    );
    expect(await message({ model, messages: [...hello, { role: 'robot', content: 'x' }] })).toBe(
      'messages[1].role must be one of system, developer, user, assistant, tool',
    );
    expect(await message({ model, messages: hello, max_tokens: 0 })).toBe(
      'max_tokens must be a whole number of at least 1',
    );
    expect(await message({ model, messages: hello, stream: 'yes' })).toBe(
      'stream must be a boolean',
    );
  });

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(`${standin.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-test' },
      body: '{"model": ',
    });
    expect([response.status, await response.json()]).toEqual([
      400,
      { error: { code: 400, message: 'The request body is not valid JSON' } },
    ]);
  });

  it("refuses max_tokens above the model's max_completion_tokens", async () => {
    expect(
      await refusal({ model: 'openai/gpt-4o-mini', messages: hello, max_tokens: 16385 }),
    ).toEqual([
      400,
      {
        error: {
          code: 400,
          message:
            "This endpoint's maximum completion length is 16384 tokens. However, you requested " +
            '16385 tokens of output. Please reduce max_tokens.',
        },
      },
    ]);
  });

  it('refuses a prompt plus max_tokens over the context length, and serves one at it', async () => {
    const model = 'meta-llama/llama-3.2-3b-instruct:free'; // context 20000
    const prompt = [{ role: 'user', content: 'x'.repeat(79_997) }]; // ceil(79997 / 4) = 20000
    expect(await refusal({ model, messages: prompt, max_tokens: 1 })).toEqual([
      400,
      {
        error: {
          code: 400,
          message:
            "This endpoint's maximum context length is 20000 tokens. However, you requested " +
            'about 20001 tokens (20000 of text input, 1 in the output). Please reduce the length ' +
            'of either one, or use the "middle-out" transform to compress your prompt automatically.',
        },
      },
    ]);
    const atLimit = await chat(standin, { model, messages: prompt });
    expect(atLimit.status).toBe(200);
    expect((atLimit.body as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(20000);

    // mistral-small has no completion cap: max_tokens is bounded by its context (32768) alone.
    const mistral = await refusal({
      model: 'mistralai/mistral-small',
      messages: hello,
      max_tokens: 32767,
    });
    expect((mistral[1] as { error: { message: string } }).error.message).toContain(
      'requested about 32769 tokens (2 of text input, 32767 in the output)',
    );
  });
});
