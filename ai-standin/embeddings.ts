/**
 * `@cf/baai/bge-base-en-v1.5` stand-in: deterministic 768-number embeddings whose cosine
 * similarity follows shared vocabulary, made by signed feature hashing (no model weights).
 *
 * A text is lower-cased (after NFKC) and cut into words (runs of letters and digits). Each word
 * adds 1 to one of the 768 dimensions, and each character trigram of the word with its boundaries
 * (`<cat>`: `<ca`, `cat`, `at>`) adds 0.5 to another; a stop word (`the`, `on`, `a`, … below) adds
 * only 0.2 and no trigrams, so sentences are not alike merely for their grammar. The dimension is
 * the feature's 32-bit FNV-1a hash modulo 768, and the hash's top bit picks the sign, so unrelated
 * features cancel out on average instead of piling up. The vector is then scaled to length 1.
 * Texts sharing words point the same way; shared word stems (`market`, `markets`) count through
 * their trigrams; the same text always gives the same vector. A text with no words embeds a fixed
 * feature of its own.
 */
import { EMBEDDING_DIMENSIONS, MAX_EMBEDDING_BATCH } from '../src/ai/models.ts';
import { badInput, isRecord, type Reply, success } from './http.ts';

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;
const STOP_WORD_WEIGHT = 0.2;
const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have i in is it its of on or that the this to was were will with you'.split(
    ' ',
  ),
);
const NO_WORDS_FEATURE = 'empty:';

export function embedText(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a32(feature);
    vector[hash % EMBEDDING_DIMENSIONS] += hash >>> 31 ? -weight : weight;
  };
  const words =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    if (STOP_WORDS.has(word)) {
      add(`word:${word}`, STOP_WORD_WEIGHT);
      continue;
    }
    add(`word:${word}`, WORD_WEIGHT);
    const bounded = `<${word}>`;
    for (let i = 0; i + 3 <= bounded.length; i += 1) {
      add(`tri:${bounded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
    }
  }
  if (words.length === 0) add(NO_WORDS_FEATURE, 1);
  let norm = Math.hypot(...vector);
  // Features can cancel exactly (a word and a trigram of opposite signs in one dimension).
  if (norm === 0) {
    add(NO_WORDS_FEATURE, 1);
    norm = Math.hypot(...vector);
  }
  return vector.map((value) => value / norm);
}

/** `POST …/ai/run/@cf/baai/bge-base-en-v1.5` with `{text: string | string[], pooling?}`. */
export function runEmbeddingModel(inputs: unknown): Reply {
  if (!isRecord(inputs) || inputs.text === undefined) {
    return badInput(
      "oneOf at '/' not met, 0 matches: required properties at '/' are 'text', required properties at '/' are 'requests'",
    );
  }
  const texts = typeof inputs.text === 'string' ? [inputs.text] : inputs.text;
  if (!Array.isArray(texts)) {
    return badInput(
      `oneOf at '/' not met, 0 matches: Type mismatch of '/text', '${typeOf(texts)}' not in 'string,array'`,
    );
  }
  if (texts.length > MAX_EMBEDDING_BATCH) {
    return badInput(
      `oneOf at '/' not met, 0 matches: Array at '/text' must NOT have more than ${MAX_EMBEDDING_BATCH} items`,
    );
  }
  if (texts.length === 0) {
    return badInput(
      "oneOf at '/' not met, 0 matches: Array at '/text' must NOT have fewer than 1 items",
    );
  }
  const notText = texts.findIndex((text) => typeof text !== 'string');
  if (notText !== -1) {
    return badInput(
      `oneOf at '/' not met, 0 matches: Type mismatch of '/text/${notText}', '${typeOf(texts[notText])}' not in 'string'`,
    );
  }
  const pooling = inputs.pooling ?? 'mean';
  if (pooling !== 'mean' && pooling !== 'cls') {
    return badInput(`oneOf at '/' not met, 0 matches: '/pooling' must be one of 'mean', 'cls'`);
  }
  const data = (texts as string[]).map(embedText);
  return success({ shape: [data.length, EMBEDDING_DIMENSIONS], data, pooling });
}

/** 32-bit FNV-1a over the feature's UTF-8 bytes. */
function fnv1a32(feature: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(feature)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
