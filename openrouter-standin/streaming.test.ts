/**
 * `stream: true` over real HTTP: OpenRouter's SSE order (keep-alive comments, one chunk per word,
 * the finish chunk, a usage chunk with no choices, [DONE]), written a pause apart.
 */
import { describe, expect, it } from 'vitest';
import { chat, sseFrames, standinForTests, TEST_KEY } from './test-support.ts';

const standin = standinForTests();
const slow = standinForTests({ chunkDelayMs: 20 });

const storyRequest = {
  model: 'anthropic/claude-3.5-haiku',
  messages: [{ role: 'user', content: 'Tell me a story' }],
  max_tokens: 4,
  stream: true,
};

describe('streamed chat completions', () => {
  it('send comments, one chunk per word, the finish chunk, the usage chunk, then [DONE]', async () => {
    const answer = await chat(standin, storyRequest);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    const text = answer.body as string;
    const frames = sseFrames(text);
    const first = frames[2] as { id: string; created: number };
    const head = {
      id: first.id,
      provider: 'Anthropic',
      model: 'anthropic/claude-3.5-haiku',
      object: 'chat.completion.chunk',
      created: first.created,
    };
    const word = (content: string) => ({
      ...head,
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
      word('From'),
      word(' wallet'),
      word(' to'),
      word(' merchant'),
      {
        ...head,
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: '' },
            finish_reason: 'length',
            native_finish_reason: 'max_tokens',
            logprobs: null,
          },
        ],
      },
      {
        ...head,
        choices: [],
        // 4 × 0.0000008 + 4 × 0.000004
        usage: {
          prompt_tokens: 4,
          completion_tokens: 4,
          total_tokens: 8,
          cost: 0.0000192,
          is_byok: false,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
          cost_details: { upstream_inference_cost: null },
        },
      },
      '[DONE]',
    ]);
    expect(first.id).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(answer.headers.get('x-generation-id')).toBe(first.id);
    expect(text.startsWith(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {')).toBe(
      true,
    );
    expect(text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it('streams the same text and usage as the JSON answer', async () => {
    const request = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
    };
    const json = (await chat(standin, request)).body as {
      choices: { message: { content: string } }[];
      usage: unknown;
    };
    const frames = sseFrames((await chat(standin, { ...request, stream: true })).body as string);
    type Chunk = { choices: { delta: { content: string }; finish_reason: string | null }[] };
    const chunks = frames.filter((frame): frame is Chunk => typeof frame === 'object');
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe(json.choices[0].message.content);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    expect((chunks.at(-1) as { usage?: unknown }).usage).toEqual(json.usage);
  });

  it('writes the chunks a pause apart, not all at once', async () => {
    const response = await fetch(`${slow.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...storyRequest, max_tokens: undefined }),
    });
    if (!response.body) throw new Error('no body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let reads = 0;
    let firstWordAt: number | undefined;
    let doneAt: number | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      reads += 1;
      text += decoder.decode(value, { stream: true });
      if (firstWordAt === undefined && text.includes('"content":"From"')) {
        firstWordAt = performance.now();
      }
      if (text.endsWith('data: [DONE]\n\n')) doneAt = performance.now();
    }
    // 29 frames (2 comments, 24 words, finish, usage, [DONE]) 20 ms apart: the first word is
    // read about 0.5 s before the end is written.
    expect(firstWordAt).toBeDefined();
    expect(doneAt).toBeDefined();
    expect((doneAt as number) - (firstWordAt as number)).toBeGreaterThan(300);
    expect(reads).toBeGreaterThan(10);
    expect(sseFrames(text)).toHaveLength(29);
  });
});
