/**
 * What a model "says" and how tokens are counted, with no weights: deterministic, so tests can
 * expect exact text, usage and cost.
 *
 * - Prompt tokens: as a byte-level BPE tokenizer roughly counts them, each message's text counts
 *   ceil(ASCII characters / 4) tokens (English averages about 4 bytes a token), one token for
 *   every other code point of the Basic Multilingual Plane (an accented letter, a CJK character)
 *   and two for one beyond it (an emoji, which byte-level tokenizers mostly split in two or
 *   three); `prompt_tokens` is the sum over the messages, roles not counted.
 * - The reply: words of VOCABULARY in order, going round the list, starting at the word whose
 *   index is the 32-bit FNV-1a hash of the last user message's UTF-8 bytes, modulo its length.
 *   The first word is capitalised. A full reply is NATURAL_LENGTH words and ends with a full stop.
 * - Completion tokens: one per word.
 */

/** 64 words; the reply walks round them. */
// biome-ignore format: eight words a line keeps the indices countable
export const VOCABULARY: readonly string[] = [
  'the', 'ledger', 'settles', 'each', 'payment', 'on', 'chain', 'while',
  'a', 'careful', 'agent', 'pays', 'per', 'call', 'and', 'reads',
  'its', 'receipt', 'so', 'every', 'request', 'carries', 'proof', 'that',
  'tokens', 'moved', 'from', 'wallet', 'to', 'merchant', 'before', 'work',
  'began', 'then', 'answers', 'arrive', 'quickly', 'with', 'usage', 'counted',
  'plainly', 'in', 'small', 'units', 'nobody', 'needs', 'an', 'account',
  'because', 'signatures', 'speak', 'for', 'themselves', 'across', 'blocks', 'confirmed',
  'by', 'miners', 'who', 'keep', 'history', 'honest', 'today', 'again',
];

/** The length of a reply that is not cut short by `max_tokens`. */
export const NATURAL_LENGTH = 24;

export function countPromptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + textTokens(text), 0);
}

function textTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) ascii += 1;
    else other += code < 0x10000 ? 1 : 2;
  }
  return Math.ceil(ascii / 4) + other;
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface ReplyWords {
  /** Each generated word, as a token: the first capitalised, a full reply's last with a full stop. */
  words: string[];
  /** `length` when `maxTokens` cut the reply short, else `stop`. */
  finishReason: 'stop' | 'length';
}

/** The reply to a conversation whose last user message is `lastUserText`. */
export function replyWords(lastUserText: string, maxTokens: number | undefined): ReplyWords {
  const cut = maxTokens !== undefined && maxTokens < NATURAL_LENGTH;
  const count = cut ? maxTokens : NATURAL_LENGTH;
  const start = fnv1a32(lastUserText) % VOCABULARY.length;
  const words = Array.from(
    { length: count },
    (_, i) => VOCABULARY[(start + i) % VOCABULARY.length],
  );
  if (words.length > 0) words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  if (!cut) words[words.length - 1] += '.';
  return { words, finishReason: cut ? 'length' : 'stop' };
}
