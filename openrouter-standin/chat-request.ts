/**
 * `POST /api/v1/chat/completions` request bodies, checked as OpenRouter checks them before a
 * model runs: a known `model`, a non-empty `messages` array of `{role, content}`, `max_tokens`
 * within the model's completion cap, and the prompt plus `max_tokens` within its context length.
 * Refusals are 400s in OpenRouter's error body. Other parameters (`temperature`, `top_p`, `seed`,
 * `stop`, ...) are accepted and change nothing.
 */
import { countPromptTokens } from './completion-text.ts';
import { errorReply, isRecord, type JsonReply } from './http.ts';
import { findModel, type StandinModel } from './models.ts';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

export interface ChatMessage {
  role: string;
  /** `content`, or the `text` of its text parts joined. */
  text: string;
}

export interface ChatRequest {
  model: StandinModel;
  messages: ChatMessage[];
  /** As asked; undefined when the request set none. */
  maxTokens: number | undefined;
  stream: boolean;
  promptTokens: number;
}

export type ReadChatRequest = { ok: true; request: ChatRequest } | { ok: false; reply: JsonReply };

export function readChatRequest(body: unknown): ReadChatRequest {
  if (!isRecord(body)) return refused('The request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') {
    return refused('"model" is required: a model ID such as openai/gpt-4o-mini');
  }
  const model = findModel(body.model);
  if (!model) return refused(`${body.model} is not a valid model ID`);

  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return refused('"messages" must be a non-empty array of {role, content}');
  }
  const messages: ChatMessage[] = [];
  for (const [index, message] of body.messages.entries()) {
    const text = isRecord(message) ? messageText(message.content) : undefined;
    if (!isRecord(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return refused(
        `messages[${index}].role must be one of system, developer, user, assistant, tool`,
      );
    }
    if (text === undefined) {
      return refused(
        `messages[${index}].content must be a string or an array of {type: "text", text} parts`,
      );
    }
    messages.push({ role: message.role, text });
  }

  const maxTokens = body.max_tokens ?? undefined;
  if (
    maxTokens !== undefined &&
    (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)
  ) {
    return refused('max_tokens must be a whole number of at least 1');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return refused('stream must be a boolean');
  }

  const { context_length: contextLength, max_completion_tokens: completionCap } =
    model.catalogue.top_provider;
  if (maxTokens !== undefined && completionCap !== null && maxTokens > completionCap) {
    return refused(
      `This endpoint's maximum completion length is ${completionCap} tokens. However, you ` +
        `requested ${maxTokens} tokens of output. Please reduce max_tokens.`,
    );
  }
  const promptTokens = countPromptTokens(messages.map((message) => message.text));
  const outputTokens = maxTokens ?? 0;
  if (promptTokens + outputTokens > contextLength) {
    return refused(
      `This endpoint's maximum context length is ${contextLength} tokens. However, you ` +
        `requested about ${promptTokens + outputTokens} tokens (${promptTokens} of text input, ` +
        `${outputTokens} in the output). Please reduce the length of either one, or use the ` +
        '"middle-out" transform to compress your prompt automatically.',
    );
  }
  return {
    ok: true,
    request: { model, messages, maxTokens, stream: body.stream === true, promptTokens },
  };
}

/** A message's text: a string, or text parts (`[{type: "text", text}]`) joined; else undefined. */
function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content) {
    if (!isRecord(part) || part.type !== 'text' || typeof part.text !== 'string') return undefined;
    text += part.text;
  }
  return text;
}

function refused(message: string): ReadChatRequest {
  return { ok: false, reply: errorReply(400, message) };
}
