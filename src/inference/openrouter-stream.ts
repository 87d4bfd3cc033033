/**
 * OpenRouter's streamed chat, relayed event by event (event-stream.ts drops its
 * `: OPENROUTER PROCESSING` comments). Its events, in order: `chat.completion.chunk`s with
 * `delta`s, one with a `finish_reason`, a final chunk with empty `choices` and the `usage` (cost
 * included), then `data: [DONE]`.
 *
 * An error after the 200 arrives as a chunk with a top-level `error` and `finish_reason: "error"`
 * ("Handling Errors During Streaming" in OpenRouter's docs; `error.code` a number or a string),
 * and nothing follows it. That, a stream that breaks off or stalls (event-stream.ts's idle
 * timeout), or one that ends with neither usage nor [DONE], is a failed call: the payment is
 * recorded as owed. A stream the Worker ends gets an error chunk in OpenRouter's shape, so the
 * caller's client sees why it stopped. The usage chunk is OpenRouter's last word on a whole
 * completion: once it came, however the stream ends, the call is complete.
 *
 * Whatever happens upstream, the caller's stream ends with `data: [DONE]`, as OpenAI's streaming
 * contract says it does (OpenRouter itself sends none after an error chunk).
 */
import type { EventRelay, StreamEnd, StreamFailure } from './event-stream';
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

  onEnd(failure?: StreamFailure): string[] {
    if (this.#done) return [];
    // Over once an error came, or the usage (then a missing [DONE] is only a missing [DONE]).
    if (this.#error !== undefined || this.#usage !== null) return ['[DONE]'];
    const detail = failure?.detail ?? 'the upstream stream ended before its usage and [DONE]';
    this.#error = detail;
    return [
      JSON.stringify({
        ...(this.#generationId ? { id: this.#generationId } : {}),
        object: 'chat.completion.chunk',
        error: {
          code: failure?.kind === 'idle' ? 504 : 502,
          message: `${detail}; the payment is recorded as owed to you`,
        },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
      '[DONE]',
    ];
  }

  outcome(end: StreamEnd): CallOutcome {
    const common = {
      usage: this.#usage,
      ...(this.#generationId ? { generationId: this.#generationId } : {}),
    };
    if (this.#error !== undefined) return { status: 'failed', detail: this.#error, ...common };
    if (this.#done || this.#usage !== null) return { status: 'completed', ...common };
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
