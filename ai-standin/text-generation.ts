/**
 * Text generation stand-in (`@cf/meta/llama-3.1-8b-instruct`, `@cf/meta/llama-3.2-3b-instruct`,
 * and the generation half of `@cf/meta/llama-guard-3-8b`): checks the inputs as Workers AI does,
 * and answers a reply chosen by the caller's model (deterministic, no weights) with `usage`, as
 * JSON or, with `stream: true`, as server-sent events.
 *
 * Tokens are whitespace-separated words: `prompt_tokens` counts the words of every message (or of
 * `prompt`), `completion_tokens` the words of the reply, and `max_tokens` (default 256) keeps the
 * first that many words of the reply.
 */
import { DEFAULT_MAX_TOKENS } from '../src/ai/models.ts';
import { badInput, isRecord, type Reply, success } from './http.ts';

export interface Message {
  role: string;
  content: string;
}

export interface GenerationInputs {
  /** The conversation; a `prompt` input is read as one user message. */
  messages: Message[];
  maxTokens: number;
  stream: boolean;
}

export type ReadInputs = { ok: true; inputs: GenerationInputs } | { ok: false; reply: Reply };

/** Workers AI's text generation inputs: `messages` or `prompt`, `max_tokens`, `stream`. */
export function readGenerationInputs(inputs: unknown): ReadInputs {
  if (!isRecord(inputs) || (inputs.messages === undefined) === (inputs.prompt === undefined)) {
    return refused(
      "oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt', required properties at '/' are 'messages'",
    );
  }
  let messages: Message[];
  if (inputs.prompt !== undefined) {
    if (typeof inputs.prompt !== 'string' || inputs.prompt === '') {
      return refused("Type mismatch of '/prompt', must be a non-empty string");
    }
    messages = [{ role: 'user', content: inputs.prompt }];
  } else {
    if (!Array.isArray(inputs.messages) || inputs.messages.length === 0) {
      return refused("'/messages' must be a non-empty array");
    }
    const bad = inputs.messages.findIndex(
      (message) =>
        !isRecord(message) ||
        typeof message.role !== 'string' ||
        typeof message.content !== 'string',
    );
    if (bad !== -1) {
      return refused(`required properties at '/messages/${bad}' are 'role,content' (strings)`);
    }
    messages = inputs.messages as Message[];
  }
  const maxTokens = inputs.max_tokens ?? DEFAULT_MAX_TOKENS;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return refused("'/max_tokens' must be an integer >= 1");
  }
  if (inputs.temperature !== undefined && typeof inputs.temperature !== 'number') {
    return refused("Type mismatch of '/temperature', must be a number");
  }
  if (inputs.stream !== undefined && typeof inputs.stream !== 'boolean') {
    return refused("Type mismatch of '/stream', must be a boolean");
  }
  return { ok: true, inputs: { messages, maxTokens, stream: inputs.stream === true } };
}

/** The reply `text`, cut to `inputs.maxTokens` words, as JSON or as an event stream. */
export function generationReply(inputs: GenerationInputs, text: string): Reply {
  const response = firstTokens(text, inputs.maxTokens);
  const promptTokens = inputs.messages.reduce(
    (sum, message) => sum + countTokens(message.content),
    0,
  );
  const completionTokens = countTokens(response);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (!inputs.stream) return success({ response, usage });
  // One event per word (with the whitespace before it), then the usage, then [DONE].
  const pieces = response.match(/\s*\S+/g) ?? [];
  const events = [
    ...pieces.map((piece) => JSON.stringify({ response: piece })),
    JSON.stringify({ response: '', usage }),
    '[DONE]',
  ];
  return { status: 200, events };
}

/** What a chat model "says": its name and the last user message, whitespace collapsed. */
export function chatReplyText(model: string, messages: Message[]): string {
  const lastUser = messages.findLast((message) => message.role === 'user');
  const words = lastUser?.content.split(/\s+/).filter((word) => word !== '') ?? [];
  const name = model.slice(model.lastIndexOf('/') + 1);
  return [`Stand-in answer from ${name}:`, ...words].join(' ');
}

function refused(detail: string): ReadInputs {
  return { ok: false, reply: badInput(detail) };
}

export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** The text up to the end of its `max`-th word (separators kept), or all of it. */
function firstTokens(text: string, max: number): string {
  let end = 0;
  let count = 0;
  for (const match of text.matchAll(/\S+/g)) {
    if (count === max) return text.slice(0, end);
    count += 1;
    end = (match.index ?? 0) + match[0].length;
  }
  return text;
}
