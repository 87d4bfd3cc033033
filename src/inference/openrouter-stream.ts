/**
 * OpenRouter's streamed chat, relayed event by event (event-stream.ts drops its
 * `: OPENROUTER PROCESSING` comments). Its events, in order: `chat.completion.chunk`s with
 * `delta`s, one with a `finish_reason`, a final chunk with empty `choices` and the `usage` (cost
 * included), then `data: [DONE]`.
 *
 * An error after the 200 arrives as a chunk with a top-level `error` and `finish_reason: "error"`
 * ("Handling Errors During Streaming" in OpenRouter's docs; `error.code` a number or a string),
 * and nothing follows it. That, a stream that breaks off, or one that ends with neither usage nor
 * [DONE], is a failed call: the payment is recorded as owed. A stream that ends early without an
 * error event gets one in OpenRouter's shape, so the caller's client sees why it stopped.
 */
import type { EventRelay, StreamEnd } from './event-stream';
import { isRecord, parseJson } from './openrouter-client';
import { type CallOutcome, type ReportedUsage, readReportedUsage } from './usage';

export class OpenRouterRelay implements EventRelay<CallOutcome> {
  #usage: ReportedUsage | null = null;
  #error: string | undefined;
  #done = false;
  #generationId: string | undefined;

  onEvent(data: string): string[] {
    if (data === '[DONE]') {
      this.#done = true;
      return [data];
    }
    const chunk = parseJson(data);
    if (isRecord(chunk)) {
      if (typeof chunk.id === 'string') this.#generationId ??= chunk.id;
      const usage = readReportedUsage(chunk.usage);
      if (usage) this.#usage = usage;
      const error = errorOf(chunk);
      if (error) this.#error ??= error;
    }
    return [data];
  }

  onEnd(failure?: string): string[] {
    // Over once [DONE] or an error came; a stream that stops after its usage chunk is complete.
    if (this.#error !== undefined || this.#done) return [];
    if (failure === undefined && this.#usage !== null) return [];
    const message = failure ?? 'the upstream stream ended before its usage and [DONE]';
    this.#error = message;
    return [
      JSON.stringify({
        ...(this.#generationId ? { id: this.#generationId } : {}),
        object: 'chat.completion.chunk',
        error: { code: 502, message: `${message}; the payment is recorded as owed to you` },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
    ];
  }

  outcome(end: StreamEnd): CallOutcome {
    const common = {
      usage: this.#usage,
      ...(this.#generationId ? { generationId: this.#generationId } : {}),
    };
    if (this.#error !== undefined) return { status: 'failed', detail: this.#error, ...common };
    if (this.#done) return { status: 'completed', ...common };
    if (end.type === 'cancelled')
      return { status: 'cancelled', detail: 'the caller closed the stream', ...common };
    if (end.type === 'failed') return { status: 'failed', detail: end.detail, ...common };
    return { status: 'completed', ...common };
  }
}

/** The message of a mid-stream error chunk, if this is one. */
function errorOf(chunk: Record<string, unknown>): string | undefined {
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  const finishedInError = choices.some(
    (choice) => isRecord(choice) && choice.finish_reason === 'error',
  );
  if (!isRecord(chunk.error) && !finishedInError) return undefined;
  const error = isRecord(chunk.error) ? chunk.error : {};
  const code = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : '?';
  const message = typeof error.message === 'string' ? error.message : 'no message';
  return `OpenRouter reported an error mid-stream (${code}: ${message})`;
}
