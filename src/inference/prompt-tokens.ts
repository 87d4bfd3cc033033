/**
 * How many prompt tokens a chat request is priced at, before anything is sent upstream: a
 * deterministic estimate from the request alone (the same body always gives the same count, so
 * the 402 and its paid retry agree).
 *
 * Real tokenizers average about 4 UTF-8 bytes per token on English text and close to 3 on most
 * other scripts, so counting one token per 3 bytes errs high; each message adds 4 tokens of chat
 * template and the reply 3 more (OpenAI's published accounting), and tool definitions, tool calls
 * and a response schema count as their JSON text, which is how providers put them in the prompt.
 */
export const BYTES_PER_TOKEN = 3;
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

const encoder = new TextEncoder();

/** ⌈UTF-8 bytes / 3⌉. */
export function textTokens(text: string): number {
  return Math.ceil(encoder.encode(text).length / BYTES_PER_TOKEN);
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
