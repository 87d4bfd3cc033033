/**
 * `@cf/meta/llama-guard-3-8b` stand-in: classifies the last message of the conversation by marker
 * words and answers as Llama Guard 3 does, `safe` or `unsafe` and a line of comma-separated
 * categories (`unsafe\nS1,S9`), through the text generation reply (usage, `max_tokens`, streaming).
 *
 * The message is lower-cased and cut into words (runs of letters and digits); a category applies
 * when one of its marker words is among them. Nothing else is flagged.
 */
import { badInput, isRecord, type Reply } from './http.ts';
import { generationReply, readGenerationInputs } from './text-generation.ts';

/** Marker words per Llama Guard 3 category (the one list; README.md repeats it for readers). */
export const MARKER_WORDS: ReadonlyArray<readonly [category: string, words: readonly string[]]> = [
  ['S1', ['kill', 'murder', 'violence']],
  ['S2', ['steal', 'fraud']],
  ['S9', ['weapon', 'weapons', 'bomb']],
  ['S10', ['hateful', 'slur']],
  ['S11', ['suicide']],
];

/** `safe`, or `unsafe\n` and the categories whose marker words `text` contains, in S order. */
export function llamaGuardVerdict(text: string): string {
  const words = new Set(
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [],
  );
  const categories = MARKER_WORDS.filter(([, markers]) => markers.some((word) => words.has(word)));
  return categories.length === 0 ? 'safe' : `unsafe\n${categories.map(([code]) => code).join(',')}`;
}

/** `POST …/ai/run/@cf/meta/llama-guard-3-8b` with `{messages, max_tokens?, stream?}`. */
export function runLlamaGuard(inputs: unknown): Reply {
  if (!isRecord(inputs) || inputs.messages === undefined) {
    return badInput("required properties at '/' are 'messages'");
  }
  const read = readGenerationInputs(inputs);
  if (!read.ok) return read.reply;
  const { messages } = read.inputs;
  const bad = messages.findIndex((message) => !['user', 'assistant'].includes(message.role));
  if (bad !== -1) {
    return badInput(`'/messages/${bad}/role' must be one of 'user', 'assistant'`);
  }
  return generationReply(read.inputs, llamaGuardVerdict(messages[messages.length - 1].content));
}
