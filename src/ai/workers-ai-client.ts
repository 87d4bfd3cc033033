/**
 * What both Workers AI clients share: batching embeddings, checking each model's output shape,
 * asking Llama Guard. A subclass only says how to run a model (the binding, or the REST API).
 */
import { AiError } from './errors';
import { readLlamaGuardVerdict } from './llama-guard';
import {
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODEL,
  MAX_EMBEDDING_BATCH,
  MODERATION_MODEL,
} from './models';
import type { AiClient, ChatCompletion, ChatRequest, ModerationVerdict, TokenUsage } from './types';

/** How long one model call may take before it fails with `ai_timeout`, unless configured. */
export const DEFAULT_AI_TIMEOUT_MS = 30_000;

export type ModelInputs = Record<string, unknown>;

export abstract class WorkersAiClient implements AiClient {
  /** The model's output (the REST API's `result`); fails with an `AiError`. */
  protected abstract runModel(model: string, inputs: ModelInputs): Promise<unknown>;
  /** The model's server-sent event stream (`inputs.stream` is true); fails with an `AiError`. */
  protected abstract streamModel(
    model: string,
    inputs: ModelInputs,
  ): Promise<ReadableStream<Uint8Array>>;

  async embed(texts: string[]): Promise<number[][]> {
    const embeddings: number[][] = [];
    // One batch at a time: the order is kept, and a failure stops the rest.
    for (let start = 0; start < texts.length; start += MAX_EMBEDDING_BATCH) {
      const batch = texts.slice(start, start + MAX_EMBEDDING_BATCH);
      const output = await this.runModel(EMBEDDING_MODEL, { text: batch });
      embeddings.push(...readEmbeddings(output, batch.length));
    }
    return embeddings;
  }

  chat(request: ChatRequest & { stream: true }): Promise<ReadableStream<Uint8Array>>;
  chat(request: ChatRequest & { stream?: false }): Promise<ChatCompletion>;
  chat(request: ChatRequest): Promise<ChatCompletion | ReadableStream<Uint8Array>>;
  async chat(request: ChatRequest): Promise<ChatCompletion | ReadableStream<Uint8Array>> {
    const { model, stream, ...rest } = request;
    const inputs: ModelInputs = Object.fromEntries(
      Object.entries(rest).filter(([, value]) => value !== undefined),
    );
    if (stream) return this.streamModel(model, { ...inputs, stream: true });
    return readChatCompletion(model, await this.runModel(model, inputs));
  }

  async moderate(text: string): Promise<ModerationVerdict> {
    const output = await this.runModel(MODERATION_MODEL, {
      messages: [{ role: 'user', content: text }],
    });
    if (!isRecord(output)) throw badOutput(MODERATION_MODEL, output, 'an object with `response`');
    return readLlamaGuardVerdict(output.response);
  }
}

function readEmbeddings(output: unknown, count: number): number[][] {
  const data = isRecord(output) ? output.data : undefined;
  const wellFormed =
    Array.isArray(data) &&
    data.length === count &&
    data.every(
      (row) =>
        Array.isArray(row) &&
        row.length === EMBEDDING_DIMENSIONS &&
        row.every((value) => typeof value === 'number' && Number.isFinite(value)),
    );
  if (!wellFormed) {
    throw badOutput(
      EMBEDDING_MODEL,
      output,
      `\`data\` of ${count} × ${EMBEDDING_DIMENSIONS} numbers`,
    );
  }
  return data as number[][];
}

function readChatCompletion(model: string, output: unknown): ChatCompletion {
  if (!isRecord(output) || typeof output.response !== 'string' || !isUsage(output.usage)) {
    throw badOutput(model, output, '`response` text and `usage` token counts');
  }
  const { prompt_tokens, completion_tokens, total_tokens } = output.usage;
  return { response: output.response, usage: { prompt_tokens, completion_tokens, total_tokens } };
}

function isUsage(value: unknown): value is TokenUsage {
  return (
    isRecord(value) &&
    [value.prompt_tokens, value.completion_tokens, value.total_tokens].every(
      (count) => typeof count === 'number' && Number.isInteger(count) && count >= 0,
    )
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badOutput(model: string, output: unknown, expected: string): AiError {
  const seen = JSON.stringify(output)?.slice(0, 120) ?? String(output);
  return new AiError('ai_bad_response', `${model} answered ${seen}; expected ${expected}.`);
}
