/**
 * Workers AI's chat stream (`data: {"response": "…"}` events, then one with `usage`, then
 * `data: [DONE]`) re-told in the OpenAI chat-completion chunk shape, as it arrives: one
 * `chat.completion.chunk` per piece of text, a chunk with the `finish_reason`, a chunk with empty
 * `choices` and the `usage` (with its `cost` in USD), then `[DONE]`. A stream that ends without
 * [DONE], breaks off or stalls (event-stream.ts's idle timeout) is a failed call (recorded as
 * owed) and ends with an error chunk and `[DONE]`.
 */
import type { Decimal } from './decimal';
import { formatDecimal } from './decimal';
import type { EventRelay, StreamEnd, StreamFailure } from './event-stream';
import { isRecord, parseJson } from './openrouter-client';
import type { CallOutcome, ReportedUsage } from './usage';

export interface CompletionIdentity {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

/** `length` when the reply used every token it was allowed, else `stop`. */
export function finishReason(completionTokens: number | null, maxTokens: number): string {
  return completionTokens !== null && completionTokens >= maxTokens ? 'length' : 'stop';
}

/** OpenAI's `usage`, with the cost in USD as a JSON number (exact text in the header). */
export function openAiUsage(usage: ReportedUsage, cost: Decimal | null) {
  const prompt = usage.promptTokens ?? 0;
  const completion = usage.completionTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cost ? { cost: Number(formatDecimal(cost)) } : {}),
  };
}

export class WorkersAiRelay implements EventRelay<CallOutcome> {
  #usage: ReportedUsage | null = null;
  #done = false;
  #error: string | undefined;
  #started = false;

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly maxTokens: number,
    private readonly costOf: (usage: ReportedUsage) => Decimal | null,
  ) {}

  onEvent(data: string): string[] {
    if (data === '[DONE]') {
      this.#done = true;
      const finish = this.#chunk([
        {
          index: 0,
          delta: {},
          finish_reason: finishReason(this.#usage?.completionTokens ?? null, this.maxTokens),
        },
      ]);
      const usage = this.#usage
        ? [this.#chunk([], { usage: openAiUsage(this.#usage, this.costOf(this.#usage)) })]
        : [];
      return [finish, ...usage, '[DONE]'];
    }
    const event = parseJson(data);
    if (!isRecord(event)) return [];
    if (isRecord(event.usage)) {
      const { prompt_tokens: prompt, completion_tokens: completion } = event.usage;
      this.#usage = {
        promptTokens: typeof prompt === 'number' ? prompt : null,
        completionTokens: typeof completion === 'number' ? completion : null,
        costUsd: null,
      };
    }
    if (typeof event.response !== 'string' || event.response === '') return [];
    const delta = this.#started
      ? { content: event.response }
      : { role: 'assistant', content: event.response };
    this.#started = true;
    return [this.#chunk([{ index: 0, delta, finish_reason: null }])];
  }

  onEnd(failure?: StreamFailure): string[] {
    if (this.#done) return [];
    this.#error = failure?.detail ?? "Workers AI's stream ended before [DONE]";
    return [
      this.#chunk([{ index: 0, delta: { content: '' }, finish_reason: 'error' }], {
        error: {
          code: failure?.kind === 'idle' ? 504 : 502,
          message: `${this.#error}; the payment is recorded as owed to you`,
        },
      }),
      '[DONE]',
    ];
  }

  outcome(end: StreamEnd): CallOutcome {
    const usage = this.#usage ? { ...this.#usage, costUsd: this.costOf(this.#usage) } : null;
    if (this.#error !== undefined) return { status: 'failed', detail: this.#error, usage };
    // [DONE] came: the caller has the whole answer, however the connection ended after it.
    if (this.#done) return { status: 'completed', usage };
    if (end.type === 'cancelled')
      return { status: 'cancelled', detail: 'the caller closed the stream', usage };
    if (end.type === 'failed') return { status: 'failed', detail: end.detail, usage };
    return { status: 'completed', usage };
  }

  #chunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
    const { id, model, created } = this.identity;
    return JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices,
      ...extra,
    });
  }
}
