/**
 * Workers AI over its REST API: `POST {baseUrl}/client/v4/accounts/{accountId}/ai/run/{model}`
 * with the model's inputs as JSON and `Authorization: Bearer {token}`. Answers are the Cloudflare
 * API envelope `{result, success, errors: [{code, message}], messages}`; with `stream: true` a
 * 200 is `text/event-stream` instead. Used in development against the local stand-in
 * (ai-standin/), and wherever the `AI` binding is not available.
 */
import { AiError, sentence, withTimeout } from './errors';
import {
  DEFAULT_AI_TIMEOUT_MS,
  isRecord,
  type ModelInputs,
  WorkersAiClient,
} from './workers-ai-client';

export interface RestAiOptions {
  /** `https://api.cloudflare.com`, or the stand-in's `http://127.0.0.1:4010`. */
  baseUrl: string;
  accountId: string;
  /** A Cloudflare API token with Workers AI read; none for the stand-in. */
  token?: string;
  /** Per call (one embedding batch, one chat); default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class RestAi extends WorkersAiClient {
  readonly #baseUrl: string;
  readonly #accountId: string;
  readonly #token?: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: RestAiOptions) {
    super();
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#accountId = options.accountId;
    this.#token = options.token || undefined;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_AI_TIMEOUT_MS;
    // Looked up per call, so a test's stub of the global fetch is seen.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The run URL of `model`: its id is a path (`@cf/meta/…`), sent as is. */
  modelUrl(model: string): string {
    return `${this.#baseUrl}/client/v4/accounts/${encodeURIComponent(this.#accountId)}/ai/run/${model}`;
  }

  protected runModel(model: string, inputs: ModelInputs): Promise<unknown> {
    return withTimeout(this.#timeoutMs, `Workers AI (${model})`, async (signal) => {
      const response = await this.#post(model, inputs, signal);
      const text = await response.text();
      const envelope = parseJson(text);
      if (!response.ok || (isRecord(envelope) && envelope.success === false)) {
        throw refusal(model, response.status, envelope, text);
      }
      if (!isRecord(envelope) || envelope.success !== true || !('result' in envelope)) {
        throw new AiError(
          'ai_bad_response',
          `Workers AI answered ${model} with ${JSON.stringify(text.slice(0, 120))}, not the {result, success} envelope.`,
          { status: response.status },
        );
      }
      return envelope.result;
    });
  }

  protected streamModel(model: string, inputs: ModelInputs): Promise<ReadableStream<Uint8Array>> {
    // The timeout covers the wait for the stream to start; its events take as long as they take.
    return withTimeout(this.#timeoutMs, `Workers AI (${model})`, async (signal) => {
      const response = await this.#post(model, inputs, signal);
      if (!response.ok) {
        const text = await response.text();
        throw refusal(model, response.status, parseJson(text), text);
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream') || response.body === null) {
        await response.body?.cancel();
        throw new AiError(
          'ai_bad_response',
          `Workers AI answered a streaming ${model} request with ${type || 'no content type'}, not text/event-stream.`,
          { status: response.status },
        );
      }
      return response.body;
    });
  }

  async #post(model: string, inputs: ModelInputs, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    try {
      return await this.#fetch(this.modelUrl(model), {
        method: 'POST',
        headers,
        body: JSON.stringify(inputs),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new AiError(
        'ai_unavailable',
        `Workers AI at ${this.#baseUrl} could not be reached (${(error as Error).message}).`,
      );
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An error status or `success: false`, with Workers AI's own errors in the sentence. */
function refusal(model: string, status: number, envelope: unknown, text: string): AiError {
  const errors = isRecord(envelope) && Array.isArray(envelope.errors) ? envelope.errors : [];
  const first = errors.find(isRecord);
  const said = errors
    .filter(isRecord)
    .map((error) => `${error.code}: ${error.message}`)
    .join('; ');
  return new AiError(
    'ai_unavailable',
    `Workers AI refused ${model} with HTTP ${status}: ${sentence(said || JSON.stringify(text.slice(0, 120)))}`,
    { status, upstreamCode: typeof first?.code === 'number' ? first.code : undefined },
  );
}
