/**
 * How many prompt tokens a chat request is priced at, before anything is sent upstream: a
 * deterministic estimate from the request alone (the same body always gives the same count, so
 * the 402 and its paid retry agree), meant to be at least what the model's tokenizer counts.
 *
 * Text is counted by character class, because tokenizers spend very different numbers of tokens
 * per UTF-8 byte on different scripts:
 *
 * - ASCII: one token per 3 bytes (rounded up per text). Byte-level BPE tokenizers (OpenAI's
 *   cl100k and o200k, Llama 3, Qwen, Claude's) average about 4 bytes a token on English and 3 to
 *   3.5 on source code, so 3 errs high for text and code alike.
 * - Any other code point: one token per UTF-8 byte after its first, so 1 for accented Latin,
 *   Greek, Cyrillic, Hebrew or Arabic letters (2 bytes; tokenizers spend at most about one a
 *   letter), 2 for a CJK ideograph, kana, hangul or Devanagari letter (3 bytes; the common ones are
 *   one token, the rest two), 3 for an emoji or other astral character (4 bytes; one to three
 *   tokens). Counting bytes ÷ 3 would have priced a CJK character at one token, less than many
 *   take, and an emoji at 1⅓; counting one per byte would price English at four times its tokens.
 *
 * Only a tokenizer with byte fallback and a small vocabulary (Llama 2, Mistral 7B) may exceed
 * this, on rare characters; then the usage the upstream reports says so, and the difference is
 * recorded with the call (usage.ts). Each message adds 4 tokens of chat template and the reply 3
 * more (OpenAI's published accounting), and tool definitions, tool calls and a response schema
 * count as their JSON text, which is how providers put them in the prompt.
 */
export const ASCII_BYTES_PER_TOKEN = 3;
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

export interface PromptMessage {
  content?: string | readonly { text: string }[] | null;
  name?: string;
  tool_calls?: unknown;
  tool_call_id?: string;
}

export interface PromptParts {
  messages: readonly PromptMessage[];
  tools?: unknown;
  tool_choice?: unknown;
  response_format?: unknown;
}

/** ⌈ASCII bytes ÷ 3⌉ plus, for every other code point, its UTF-8 length less one. */
export function textTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) ascii += 1;
    // UTF-8 lengths: 2 bytes below U+0800, 3 below U+10000, else 4 (a lone surrogate is 3, as
    // TextEncoder writes it: U+FFFD).
    else other += code < 0x800 ? 1 : code < 0x10000 ? 2 : 3;
  }
  return Math.ceil(ascii / ASCII_BYTES_PER_TOKEN) + other;
}

const jsonTokens = (value: unknown) =>
  value === undefined || value === null ? 0 : textTokens(JSON.stringify(value));

export function estimatePromptTokens(parts: PromptParts): number {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of parts.messages) {
    const content = message.content ?? '';
    const text = typeof content === 'string' ? content : content.map((part) => part.text).join('');
    tokens += MESSAGE_OVERHEAD_TOKENS + textTokens(text);
    if (message.name) tokens += textTokens(message.name);
    if (message.tool_call_id) tokens += textTokens(message.tool_call_id);
    tokens += jsonTokens(message.tool_calls);
  }
  tokens += jsonTokens(parts.tools);
  if (typeof parts.tool_choice === 'object') tokens += jsonTokens(parts.tool_choice);
  tokens += jsonTokens(parts.response_format);
  return tokens;
}
