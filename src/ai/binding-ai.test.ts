/** BindingAi over a scripted `AI` binding: the runs it asks for and how their failures read. */
import { describe, expect, it } from 'vitest';
import { BindingAi } from './binding-ai';
import { AiError } from './errors';
import { EMBEDDING_MODEL, MODERATION_MODEL } from './models';

interface RecordedRun {
  model: string;
  inputs: Record<string, unknown>;
  options?: { signal?: AbortSignal };
}

/** An `AI` binding whose `run` records its arguments and answers with `answer`. */
function fakeBinding(answer: (run: RecordedRun) => unknown) {
  const runs: RecordedRun[] = [];
  const binding = {
    async run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }) {
      const run = { model, inputs, options };
      runs.push(run);
      return answer(run);
    },
  };
  return { ai: binding as unknown as Ai, runs };
}

async function failureOf(promise: Promise<unknown>): Promise<AiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AiError);
  return error as AiError;
}

const embeddings = (run: RecordedRun) => {
  const texts = run.inputs.text as string[];
  return { shape: [texts.length, 768], data: texts.map((_, i) => new Array(768).fill(i)) };
};

describe('BindingAi', () => {
  it('runs the embedding model on batches of at most 100 texts, with an abort signal', async () => {
    const { ai, runs } = fakeBinding(embeddings);
    const vectors = await new BindingAi(ai).embed(Array.from({ length: 150 }, (_, i) => `t${i}`));
    expect(runs.map((run) => [run.model, (run.inputs.text as string[]).length])).toEqual([
      [EMBEDDING_MODEL, 100],
      [EMBEDDING_MODEL, 50],
    ]);
    expect(runs[0].options?.signal).toBeInstanceOf(AbortSignal);
    expect(vectors).toHaveLength(150);
    expect(vectors[100][0]).toBe(0);
    expect(vectors[149][0]).toBe(49);
  });

  it('passes chat inputs through and answers response and usage', async () => {
    const { ai, runs } = fakeBinding(() => ({
      response: 'Sure.',
      usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
    }));
    const answer = await new BindingAi(ai).chat({
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [{ role: 'user', content: 'Can you?' }],
      max_tokens: 10,
      temperature: 0,
    });
    expect(answer).toEqual({
      response: 'Sure.',
      usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
    });
    expect(runs[0].model).toBe('@cf/meta/llama-3.1-8b-instruct');
    expect(runs[0].inputs).toEqual({
      messages: [{ role: 'user', content: 'Can you?' }],
      max_tokens: 10,
      temperature: 0,
    });
  });

  it('streams: asks with stream: true and returns the binding’s stream itself', async () => {
    const stream = new Response('data: [DONE]\n\n').body as ReadableStream<Uint8Array>;
    const { ai, runs } = fakeBinding(() => stream);
    const answer = await new BindingAi(ai).chat({
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    expect(answer).toBe(stream);
    expect(runs[0].inputs).toEqual({ messages: [{ role: 'user', content: 'Hi' }], stream: true });
  });

  it('reads Llama Guard’s JSON verdict as well as its text', async () => {
    const { ai, runs } = fakeBinding(() => ({
      response: { safe: false, categories: ['S1', 'S11'] },
    }));
    expect(await new BindingAi(ai).moderate('text')).toEqual({
      safe: false,
      flags: ['violent_crimes', 'suicide_self_harm'],
      reason: 'Flagged as unsafe: Violent Crimes (S1), Suicide & Self-Harm (S11).',
    });
    expect(runs[0]).toMatchObject({
      model: MODERATION_MODEL,
      inputs: { messages: [{ role: 'user', content: 'text' }] },
    });
  });

  it('turns a binding error into ai_unavailable with Workers AI’s code', async () => {
    const { ai } = fakeBinding(() => {
      throw new Error('3040: Capacity temporarily exceeded, please try again.');
    });
    const error = await failureOf(new BindingAi(ai).embed(['x']));
    expect([error.code, error.message, error.upstreamCode, error.status]).toEqual([
      'ai_unavailable',
      'The AI binding refused @cf/baai/bge-base-en-v1.5: 3040: Capacity temporarily exceeded, please try again.',
      3040,
      undefined,
    ]);
    const { ai: unknownModel } = fakeBinding(() => {
      throw new Error('AiError: 5007: No such model @cf/x/y or task');
    });
    const chat = new BindingAi(unknownModel).chat({ model: '@cf/x/y', messages: [] });
    expect((await failureOf(chat)).upstreamCode).toBe(5007);
  });

  it('is ai_bad_response when a stream was asked for and an object came back', async () => {
    const { ai } = fakeBinding(() => ({ response: 'not a stream' }));
    const stream = new BindingAi(ai).chat({
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [],
      stream: true,
    });
    expect(await failureOf(stream)).toMatchObject({
      code: 'ai_bad_response',
      message:
        'The AI binding answered a streaming @cf/meta/llama-3.1-8b-instruct request with object, not a stream.',
    });
  });

  it('times out a run that does not settle, aborting its signal', async () => {
    const { ai, runs } = fakeBinding(() => new Promise(() => {}));
    const error = await failureOf(new BindingAi(ai, { timeoutMs: 25 }).moderate('x'));
    expect([error.code, error.message]).toEqual([
      'ai_timeout',
      'Workers AI (@cf/meta/llama-guard-3-8b) did not answer within 25 ms; try again later.',
    ]);
    expect(runs[0].options?.signal?.aborted).toBe(true);
  });
});
