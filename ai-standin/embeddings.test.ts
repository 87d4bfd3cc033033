/** `@cf/baai/bge-base-en-v1.5` on the stand-in, over real HTTP. */
import { describe, expect, it } from 'vitest';
import { EMBEDDING_MODEL } from '../src/ai/models.ts';
import { cosine, runModel, standinForTests } from './test-support.ts';

const standin = standinForTests();

interface EmbeddingResult {
  result: { shape: number[]; data: number[][]; pooling: string };
  success: boolean;
  errors: unknown[];
  messages: unknown[];
}

async function embed(text: string | string[]): Promise<number[][]> {
  const answer = await runModel(standin, EMBEDDING_MODEL, { text });
  expect(answer.status).toBe(200);
  return (answer.body as EmbeddingResult).result.data;
}

describe('embeddings', () => {
  it('answers {shape: [n, 768], data} in the Workers AI envelope, one unit vector per text', async () => {
    const answer = await runModel(standin, EMBEDDING_MODEL, { text: ['first text', 'second'] });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json');
    const body = answer.body as EmbeddingResult;
    expect(Object.keys(body).sort()).toEqual(['errors', 'messages', 'result', 'success']);
    expect(body.success).toBe(true);
    expect(body.errors).toEqual([]);
    expect(body.messages).toEqual([]);
    expect(body.result.shape).toEqual([2, 768]);
    expect(body.result.pooling).toBe('mean');
    expect(body.result.data.map((row) => row.length)).toEqual([768, 768]);
    for (const row of body.result.data) expect(Math.hypot(...row)).toBeCloseTo(1, 12);
  });

  it('embeds a single string as one text', async () => {
    const answer = await runModel(standin, EMBEDDING_MODEL, { text: 'just one' });
    expect((answer.body as EmbeddingResult).result.shape).toEqual([1, 768]);
    expect((answer.body as EmbeddingResult).result.data).toEqual(await embed(['just one']));
  });

  it('hashes each word (weight 1) and its boundary trigrams (weight 0.5) into the vector', async () => {
    // "hi": the word, "<hi" and "hi>": three features, so three dimensions of 1, 0.5, 0.5 / √1.5.
    const [vector] = await embed('hi');
    const magnitudes = vector
      .filter((value) => value !== 0)
      .map(Math.abs)
      .sort((a, b) => b - a);
    expect(magnitudes).toHaveLength(3);
    expect(magnitudes[0]).toBeCloseTo(1 / Math.sqrt(1.5), 12);
    expect(magnitudes[1]).toBeCloseTo(0.5 / Math.sqrt(1.5), 12);
    expect(magnitudes[2]).toBeCloseTo(0.5 / Math.sqrt(1.5), 12);
  });

  it('gives the same text the same vector in every call and batch position, ignoring case and punctuation', async () => {
    const [alone] = await embed('The cat sat on the mat');
    const batch = await embed([
      'something else',
      'The cat sat on the mat',
      'the CAT sat, on the mat!',
    ]);
    expect(batch[1]).toEqual(alone);
    expect(batch[2]).toEqual(alone);
    expect(batch[0]).not.toEqual(alone);
  });

  it('ranks texts by shared words, stop words counting little: the cat sentence is nearest its paraphrase', async () => {
    // "the dog sat on the rug" shares more words ("the", "sat", "on"), but mostly stop words.
    const candidates = ['stock market prices', 'a cat on a mat', 'the dog sat on the rug'];
    const [query, ...vectors] = await embed(['the cat sat on the mat', ...candidates]);
    const ranked = candidates
      .map((text, i) => ({ text, similarity: cosine(query, vectors[i]) }))
      .sort((a, b) => b.similarity - a.similarity)
      .map(({ text }) => text);
    expect(ranked).toEqual(['a cat on a mat', 'the dog sat on the rug', 'stock market prices']);
    expect(cosine(query, query)).toBeCloseTo(1, 12);
  });

  it('counts shared stems through trigrams: "markets" is nearer "market" than "marble" is', async () => {
    const [market, markets, marble] = await embed(['market', 'markets', 'marble']);
    expect(cosine(market, markets)).toBeGreaterThan(cosine(market, marble));
  });

  it('refuses 101 texts as Workers AI does: 400, code 5006', async () => {
    const texts = Array.from({ length: 101 }, (_, i) => `text ${i}`);
    const answer = await runModel(standin, EMBEDDING_MODEL, { text: texts });
    expect(answer).toEqual({
      status: 400,
      contentType: 'application/json',
      body: {
        result: null,
        success: false,
        errors: [
          {
            code: 5006,
            message:
              "AiError: Bad input: Error: oneOf at '/' not met, 0 matches: Array at '/text' must NOT have more than 100 items",
          },
        ],
        messages: [],
      },
    });
    expect((await runModel(standin, EMBEDDING_MODEL, { text: texts.slice(0, 100) })).status).toBe(
      200,
    );
  });

  it('refuses no texts, a text that is not a string, and a missing `text`', async () => {
    const message = async (inputs: unknown) =>
      ((await runModel(standin, EMBEDDING_MODEL, inputs)).body as { errors: { message: string }[] })
        .errors[0].message;
    expect(await message({ text: [] })).toBe(
      "AiError: Bad input: Error: oneOf at '/' not met, 0 matches: Array at '/text' must NOT have fewer than 1 items",
    );
    expect(await message({ text: ['ok', 7] })).toBe(
      "AiError: Bad input: Error: oneOf at '/' not met, 0 matches: Type mismatch of '/text/1', 'number' not in 'string'",
    );
    expect(await message({ input: 'x' })).toBe(
      "AiError: Bad input: Error: oneOf at '/' not met, 0 matches: required properties at '/' are 'text', required properties at '/' are 'requests'",
    );
  });
});
