/** Cost arithmetic and the reply rule, without HTTP. */
import { describe, expect, it } from 'vitest';
import {
  countPromptTokens,
  fnv1a32,
  NATURAL_LENGTH,
  replyWords,
  VOCABULARY,
} from './completion-text.ts';
import { findModel } from './models.ts';
import { tokenCost } from './usage.ts';

const pricing = (id: string) => {
  const model = findModel(id);
  if (!model) throw new Error(`no model ${id}`);
  return model.catalogue.pricing;
};

describe('tokenCost', () => {
  it('is exact in decimal where float arithmetic is not', () => {
    expect(4 * 0.00000002 + 24 * 0.00000003).not.toBe(0.0000008);
    expect(tokenCost(pricing('meta-llama/llama-3.1-8b-instruct'), 4, 24)).toBe(0.0000008);
    expect(tokenCost(pricing('openai/gpt-4o-mini'), 1000, 0)).toBe(0.00015);
    expect(tokenCost(pricing('openai/gpt-4o-mini'), 1_000_000, 1_000_000)).toBe(0.75);
    expect(tokenCost(pricing('google/gemini-flash-1.5'), 3, 0)).toBe(0.000000225);
    expect(tokenCost(pricing('meta-llama/llama-3.2-3b-instruct:free'), 500, 500)).toBe(0);
  });
});

describe('the reply rule', () => {
  it('hashes with 32-bit FNV-1a over UTF-8', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('What is x402?')).toBe(0xd89e2032);
  });

  it('walks round the 64-word vocabulary from the hash, modulo 64', () => {
    expect(VOCABULARY).toHaveLength(64);
    expect(new Set(VOCABULARY).size).toBe(64);
    // 0xe40c292c % 64 = 44: 'nobody' … 'again', then round to 'the'.
    expect(replyWords('a', undefined)).toEqual({
      words: [...VOCABULARY.slice(44), ...VOCABULARY.slice(0, 4)].map((word, i, all) =>
        i === 0 ? 'Nobody' : i === all.length - 1 ? `${word}.` : word,
      ),
      finishReason: 'stop',
    });
    expect(replyWords('a', 2)).toEqual({ words: ['Nobody', 'needs'], finishReason: 'length' });
    expect(replyWords('a', NATURAL_LENGTH).finishReason).toBe('stop');
  });

  it('counts ceil(code points / 4) per text', () => {
    expect(countPromptTokens([])).toBe(0);
    expect(countPromptTokens(['', 'a', 'abcd', 'abcde'])).toBe(0 + 1 + 1 + 2);
    expect(countPromptTokens(['😀😀😀😀😀'])).toBe(2);
  });
});
