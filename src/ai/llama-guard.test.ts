/** Reading Llama Guard 3 verdicts: its text form, its JSON form, and what is neither. */
import { describe, expect, it } from 'vitest';
import { AiError } from './errors';
import { LLAMA_GUARD_CATEGORIES, readLlamaGuardVerdict } from './llama-guard';

describe('readLlamaGuardVerdict', () => {
  it('reads "safe", with the whitespace the model may put around it', () => {
    const safe = { safe: true, flags: [], reason: 'No hazard category applies.' };
    expect(readLlamaGuardVerdict('safe')).toEqual(safe);
    expect(readLlamaGuardVerdict('\n\nsafe\n')).toEqual(safe);
    expect(readLlamaGuardVerdict({ safe: true })).toEqual(safe);
  });

  it('names each of the 14 categories', () => {
    expect(Object.values(LLAMA_GUARD_CATEGORIES).map(({ flag }) => flag)).toEqual([
      'violent_crimes',
      'non_violent_crimes',
      'sex_related_crimes',
      'child_sexual_exploitation',
      'defamation',
      'specialized_advice',
      'privacy',
      'intellectual_property',
      'indiscriminate_weapons',
      'hate',
      'suicide_self_harm',
      'sexual_content',
      'elections',
      'code_interpreter_abuse',
    ]);
    expect(readLlamaGuardVerdict('unsafe\nS1,S10')).toEqual({
      safe: false,
      flags: ['violent_crimes', 'hate'],
      reason: 'Flagged as unsafe: Violent Crimes (S1), Hate (S10).',
    });
    expect(readLlamaGuardVerdict('unsafe\nS14')).toEqual({
      safe: false,
      flags: ['code_interpreter_abuse'],
      reason: 'Flagged as unsafe: Code Interpreter Abuse (S14).',
    });
  });

  it('stays unsafe with a category it does not know, or none', () => {
    expect(readLlamaGuardVerdict('unsafe\nS2, S15')).toEqual({
      safe: false,
      flags: ['non_violent_crimes', 'S15'],
      reason: 'Flagged as unsafe: Non-Violent Crimes (S2), unknown category S15.',
    });
    expect(readLlamaGuardVerdict('unsafe')).toEqual({
      safe: false,
      flags: [],
      reason: 'Flagged as unsafe, with no category given.',
    });
    expect(readLlamaGuardVerdict({ safe: false, categories: ['S7'] })).toEqual({
      safe: false,
      flags: ['privacy'],
      reason: 'Flagged as unsafe: Privacy (S7).',
    });
  });

  it.each([['maybe'], ['safe\nS1'], ['unsafe\nS1\nmore'], [42], [null], [{ safe: 'yes' }]])(
    'refuses %j as ai_bad_response',
    (response) => {
      expect(() => readLlamaGuardVerdict(response)).toThrow(AiError);
      try {
        readLlamaGuardVerdict(response);
      } catch (error) {
        expect((error as AiError).code).toBe('ai_bad_response');
      }
    },
  );
});
