/** Cost arithmetic and the reply rule, without HTTP. */
import { describe, expect, it } from 'vitest';
import {
  countPromptTokens,
  fnv1a32,
  NATURAL_LENGTH,
  replyWords,
  VOCABULARY,
} from './completion-text.ts';
import { estimatePromptTokens, textTokens } from '../src/inference/prompt-tokens.ts';
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

  it('counts ceil(ASCII characters / 4) per text, one token for another character, two for an emoji', () => {
    expect(countPromptTokens([])).toBe(0);
    expect(countPromptTokens(['', 'a', 'abcd', 'abcde'])).toBe(0 + 1 + 1 + 2);
    expect(countPromptTokens(['😀😀😀😀😀'])).toBe(10);
    expect(countPromptTokens(['你好，世界'])).toBe(5);
    // 'Ça coûte': 6 ASCII characters (2 tokens) and 2 accented letters.
    expect(countPromptTokens(['Ça coûte'])).toBe(4);
  });
});

describe("the Worker's prompt estimate (src/inference/prompt-tokens.ts)", () => {
  // [text, the stand-in's tokens, the Worker's estimate of the text alone]
  const samples: [string, number, number][] = [
    // 46 ASCII bytes: ⌈46 / 4⌉ = 12 here; ⌈46 / 3⌉ = 16 estimated.
    ['The quick brown fox jumps over the lazy dog. 1', 12, 16],
    // 5 emoji: 10 here; 4 bytes each, 3 tokens each estimated (⌈bytes ÷ 3⌉ gave 7, too few).
    ['😀😀😀😀😀', 10, 15],
    // 5 CJK characters and a full-width comma (3 bytes each): 6 here; 2 each estimated.
    ['你好，世界。', 6, 12],
    // Mixed: 8 ASCII characters (2 tokens here, ⌈8 / 3⌉ = 3 estimated), 5 kana (3 bytes: 2
    // each estimated), an emoji (2 here, 3 estimated) and 'é' (2 bytes: 1): 10 here, 17
    // estimated.
    ['Hi こんにちは 👋 café', 10, 17],
  ];

  it('is at least what the stand-in counts, for ASCII, emoji and CJK alike', () => {
    for (const [text, standin, estimate] of samples) {
      expect([text, countPromptTokens([text])]).toEqual([text, standin]);
      expect([text, textTokens(text)]).toEqual([text, estimate]);
      expect(estimate).toBeGreaterThanOrEqual(standin);
      // A whole request adds 4 for the message and 3 for the reply on top.
      expect(estimatePromptTokens({ messages: [{ content: text }] })).toBe(estimate + 7);
    }
  });
});
