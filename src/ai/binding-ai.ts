/**
 * Workers AI through the `AI` binding (`env.AI.run(model, inputs, options)`), on Cloudflare. The
 * binding returns the model's output itself (no envelope) and, for `stream: true`, a
 * ReadableStream of the event stream; it rejects with an Error whose message carries Workers AI's
 * code (`3040: Capacity temporarily exceeded, please try again.`, `5007: No such model …`).
 */
import { AiError, sentence, withTimeout } from './errors';
import { DEFAULT_AI_TIMEOUT_MS, type ModelInputs, WorkersAiClient } from './workers-ai-client';

export interface BindingAiOptions {
  /** Per call (one embedding batch, one chat); default 30 s. */
  timeoutMs?: number;
}

export class BindingAi extends WorkersAiClient {
  readonly #ai: Ai;
  readonly #timeoutMs: number;

  constructor(ai: Ai, options: BindingAiOptions = {}) {
    super();
    this.#ai = ai;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_AI_TIMEOUT_MS;
  }

  protected runModel(model: string, inputs: ModelInputs): Promise<unknown> {
    return withTimeout(this.#timeoutMs, `Workers AI (${model})`, (signal) =>
      this.#run(model, inputs, signal),
    );
  }

  protected streamModel(model: string, inputs: ModelInputs): Promise<ReadableStream<Uint8Array>> {
    return withTimeout(this.#timeoutMs, `Workers AI (${model})`, async (signal) => {
      const output: unknown = await this.#run(model, inputs, signal);
      if (!(output instanceof ReadableStream)) {
        throw new AiError(
          'ai_bad_response',
          `The AI binding answered a streaming ${model} request with ${typeof output}, not a stream.`,
        );
      }
      return output;
    });
  }

  async #run(model: string, inputs: ModelInputs, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.#ai.run(model, inputs, { signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const message = error instanceof Error ? error.message : String(error);
      const code = /(?:^|\D)(\d{4}):/.exec(message)?.[1];
      throw new AiError('ai_unavailable', `The AI binding refused ${model}: ${sentence(message)}`, {
        upstreamCode: code === undefined ? undefined : Number(code),
      });
    }
  }
}
