/**
 * Reading Llama Guard 3's verdict. The model answers `safe`, or `unsafe` and, on the next line,
 * comma-separated hazard categories of the MLCommons taxonomy (Llama Guard 3 model card): S1 to
 * S14. Workers AI passes that text through as `response`, or, when asked for a JSON
 * `response_format`, an object `{safe, categories}`; both are read here.
 */
import { AiError } from './errors';
import { MODERATION_MODEL } from './models';
import type { ModerationVerdict } from './types';

/** Llama Guard 3 hazard categories: code, flag (machine name) and the model card's title. */
export const LLAMA_GUARD_CATEGORIES = {
  S1: { flag: 'violent_crimes', title: 'Violent Crimes' },
  S2: { flag: 'non_violent_crimes', title: 'Non-Violent Crimes' },
  S3: { flag: 'sex_related_crimes', title: 'Sex-Related Crimes' },
  S4: { flag: 'child_sexual_exploitation', title: 'Child Sexual Exploitation' },
  S5: { flag: 'defamation', title: 'Defamation' },
  S6: { flag: 'specialized_advice', title: 'Specialized Advice' },
  S7: { flag: 'privacy', title: 'Privacy' },
  S8: { flag: 'intellectual_property', title: 'Intellectual Property' },
  S9: { flag: 'indiscriminate_weapons', title: 'Indiscriminate Weapons' },
  S10: { flag: 'hate', title: 'Hate' },
  S11: { flag: 'suicide_self_harm', title: 'Suicide & Self-Harm' },
  S12: { flag: 'sexual_content', title: 'Sexual Content' },
  S13: { flag: 'elections', title: 'Elections' },
  S14: { flag: 'code_interpreter_abuse', title: 'Code Interpreter Abuse' },
} as const;

export type LlamaGuardCategory = keyof typeof LLAMA_GUARD_CATEGORIES;

function isCategory(code: string): code is LlamaGuardCategory {
  return Object.hasOwn(LLAMA_GUARD_CATEGORIES, code);
}

/**
 * The verdict in a Llama Guard `result.response`. Unsafe with unknown categories (a later
 * taxonomy) stays unsafe, the unknown code kept as its own flag; anything that is neither a
 * verdict text nor a verdict object is `ai_bad_response`.
 */
export function readLlamaGuardVerdict(response: unknown): ModerationVerdict {
  if (typeof response === 'string') {
    const [verdict, categoryLine = '', ...rest] = response.trim().split(/\s*\n\s*/);
    if (verdict === 'safe' && categoryLine === '' && rest.length === 0) return safeVerdict();
    if (verdict === 'unsafe' && rest.length === 0) {
      return unsafeVerdict(categoryLine.split(',').map((code) => code.trim()));
    }
  } else if (typeof response === 'object' && response !== null && 'safe' in response) {
    const { safe, categories } = response as { safe: unknown; categories?: unknown };
    if (safe === true) return safeVerdict();
    if (safe === false && (categories === undefined || isStringArray(categories))) {
      return unsafeVerdict(categories ?? []);
    }
  }
  throw new AiError(
    'ai_bad_response',
    `${MODERATION_MODEL} answered ${JSON.stringify(response)?.slice(0, 200)}, which is not a Llama Guard verdict ("safe" or "unsafe" and categories).`,
  );
}

function safeVerdict(): ModerationVerdict {
  return { safe: true, flags: [], reason: 'No hazard category applies.' };
}

function unsafeVerdict(codes: string[]): ModerationVerdict {
  const known = codes.filter((code) => code !== '');
  if (known.length === 0) {
    return { safe: false, flags: [], reason: 'Flagged as unsafe, with no category given.' };
  }
  const flags = known.map((code) => (isCategory(code) ? LLAMA_GUARD_CATEGORIES[code].flag : code));
  const titles = known.map((code) =>
    isCategory(code)
      ? `${LLAMA_GUARD_CATEGORIES[code].title} (${code})`
      : `unknown category ${code}`,
  );
  return { safe: false, flags, reason: `Flagged as unsafe: ${titles.join(', ')}.` };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
