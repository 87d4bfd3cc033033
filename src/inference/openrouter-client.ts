/**
 * OpenRouter over HTTP: `GET {OPENROUTER_API_URL}/models` (the catalogue, public) and
 * `POST {OPENROUTER_API_URL}/chat/completions` (Bearer OPENROUTER_API_KEY), JSON or server-sent
 * events. Failures are classified once into what the caller is told: a 429 is
 * `upstream_rate_limited` (503), a 5xx `upstream_error` (502), no answer in time
 * `upstream_timeout` (504), each with a `retry-after`; errors are OpenRouter's body
 * `{"error": {"code", "message", "metadata"?}}`.
 */

/** The part of the Worker's env that reaches OpenRouter. */
export interface OpenRouterEnv {
  /** API base: the local stand-in in development, `https://openrouter.ai/api/v1` on Cloudflare. */
  OPENROUTER_API_URL?: string;
  /** A secret (`wrangler secret put OPENROUTER_API_KEY`); `npm run dev` passes one for the stand-in. */
  OPENROUTER_API_KEY?: string;
}

export type UpstreamCode =
  | 'upstream_rate_limited'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'upstream_rejected';

export interface UpstreamFailure {
  code: UpstreamCode;
  /** The status the caller gets. */
  status: 400 | 502 | 503 | 504;
  retryAfterSeconds?: number;
  /** What happened, as a sentence. */
  detail: string;
  /** OpenRouter's HTTP status, when it answered. */
  upstreamStatus?: number;
}

export type ModelsOutcome =
  | { type: 'listed'; models: unknown[] }
  | { type: 'failed'; failure: UpstreamFailure };

export type ChatOutcome =
  /** A 2xx JSON completion: its text as sent, parsed. */
  | { type: 'completed'; text: string; body: unknown }
  /** A 2xx event stream, as it arrives. */
  | { type: 'streaming'; body: ReadableStream<Uint8Array> }
  | { type: 'failed'; failure: UpstreamFailure };

/** A chat may take long (up to the priced max_tokens); for a stream this bounds the first byte. */
export const CHAT_TIMEOUT_MS = 120_000;
export const MODELS_TIMEOUT_MS = 10_000;
/** The catalogue is one page today; `links.next` is followed this many times at most. */
const MAX_CATALOGUE_PAGES = 20;
const DEFAULT_RETRY_AFTER_SECONDS = 5;
const ACCOUNT_RETRY_AFTER_SECONDS = 60;

export interface OpenRouterClientOptions {
  baseUrl: string;
  apiKey: string;
  chatTimeoutMs?: number;
  modelsTimeoutMs?: number;
  fetch?: typeof fetch;
}

export type OpenRouterSetup =
  | { type: 'ready'; client: OpenRouterClient }
  | { type: 'unavailable'; reason: string };

/**
 * The client for this env, or why there is none (a sentence for the operator and the caller).
 * The catalogue is public; chatting (`forChat`) needs the key too.
 */
export function openRouterFor(
  env: OpenRouterEnv,
  { forChat }: { forChat: boolean },
): OpenRouterSetup {
  const baseUrl = env.OPENROUTER_API_URL?.trim().replace(/\/+$/, '') ?? '';
  const apiKey = env.OPENROUTER_API_KEY?.trim() ?? '';
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl) || !URL.canParse(baseUrl)) {
    return {
      type: 'unavailable',
      reason: `OPENROUTER_API_URL must be an http(s) URL (got ${JSON.stringify(env.OPENROUTER_API_URL ?? null)})`,
    };
  }
  if (forChat && apiKey === '') {
    return {
      type: 'unavailable',
      reason: 'OPENROUTER_API_KEY is not set (wrangler secret put OPENROUTER_API_KEY)',
    };
  }
  return { type: 'ready', client: new OpenRouterClient({ baseUrl, apiKey }) };
}

export class OpenRouterClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #chatTimeoutMs: number;
  readonly #modelsTimeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: OpenRouterClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#chatTimeoutMs = options.chatTimeoutMs ?? CHAT_TIMEOUT_MS;
    this.#modelsTimeoutMs = options.modelsTimeoutMs ?? MODELS_TIMEOUT_MS;
    // Looked up per call, so a test's stub of the global fetch is seen.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Every entry of `data`, following `links.next` (a path on the API's origin) when given. */
  async listModels(): Promise<ModelsOutcome> {
    const models: unknown[] = [];
    let url: string | null = `${this.#baseUrl}/models`;
    for (let page = 0; url !== null && page < MAX_CATALOGUE_PAGES; page += 1) {
      const result = await this.#send(url, { headers: { accept: 'application/json' } }, 'models');
      if (result.type === 'failed') return result;
      const text = await result.response.text();
      const body = parseJson(text);
      const data = isRecord(body) ? body.data : undefined;
      if (!Array.isArray(data)) {
        return failed(
          'upstream_error',
          502,
          `OpenRouter answered its model list with ${sample(text)}, not {data: [...]}`,
        );
      }
      models.push(...data);
      const next = isRecord(body) && isRecord(body.links) ? body.links.next : undefined;
      url = typeof next === 'string' && next !== '' ? new URL(next, this.#baseUrl).href : null;
    }
    return { type: 'listed', models };
  }

  /** One chat completion; `stream` in the body decides JSON or events. */
  async chat(body: Record<string, unknown>): Promise<ChatOutcome> {
    const init: RequestInit = {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.#apiKey}`,
        'content-type': 'application/json',
        accept: body.stream === true ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
    };
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('timed out', 'TimeoutError')),
      this.#chatTimeoutMs,
    );
    try {
      const result = await this.#send(
        `${this.#baseUrl}/chat/completions`,
        { ...init, signal: controller.signal },
        'chat',
        this.#chatTimeoutMs,
      );
      if (result.type === 'failed') return result;
      const { response } = result;
      const type = response.headers.get('content-type') ?? '';
      if (body.stream === true && type.startsWith('text/event-stream') && response.body) {
        return { type: 'streaming', body: response.body };
      }
      const text = await response.text();
      return { type: 'completed', text, body: parseJson(text) };
    } catch (error) {
      if (controller.signal.aborted) {
        return failed(
          'upstream_timeout',
          504,
          `OpenRouter did not answer within ${this.#chatTimeoutMs / 1000} s`,
        );
      }
      return failed(
        'upstream_error',
        502,
        `OpenRouter's answer broke off: ${(error as Error).message}`,
      );
    } finally {
      // A stream's timer ends with its headers; its events take as long as they take.
      clearTimeout(timer);
    }
  }

  async #send(
    url: string,
    init: RequestInit,
    what: 'models' | 'chat',
    timeoutMs = this.#modelsTimeoutMs,
  ): Promise<
    { type: 'answered'; response: Response } | { type: 'failed'; failure: UpstreamFailure }
  > {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        ...init,
        signal: init.signal ?? AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || init.signal?.aborted) {
        return failed(
          'upstream_timeout',
          504,
          `OpenRouter did not answer within ${timeoutMs / 1000} s`,
        );
      }
      return failed(
        'upstream_error',
        502,
        `OpenRouter could not be reached (${(error as Error).message})`,
      );
    }
    if (response.ok) return { type: 'answered', response };
    const text = await response.text().catch(() => '');
    return { type: 'failed', failure: classifyRefusal(response, text, what) };
  }
}

/** A non-2xx answer from OpenRouter, as the caller is told it. */
export function classifyRefusal(response: Response, text: string, what: string): UpstreamFailure {
  const status = response.status;
  const said = errorMessage(text);
  const detail = `OpenRouter answered ${what} with HTTP ${status}${said ? `: ${said}` : ''}`;
  const upstream = { upstreamStatus: status };
  if (status === 429) {
    const header = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    const retryAfterSeconds =
      Number.isFinite(header) && header > 0 ? Math.min(header, 300) : DEFAULT_RETRY_AFTER_SECONDS;
    return { code: 'upstream_rate_limited', status: 503, retryAfterSeconds, detail, ...upstream };
  }
  if (status === 408) {
    const retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
    return { code: 'upstream_timeout', status: 504, retryAfterSeconds, detail, ...upstream };
  }
  if (status >= 500) {
    const retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
    return { code: 'upstream_error', status: 502, retryAfterSeconds, detail, ...upstream };
  }
  if (status === 401 || status === 402) {
    // This service's OpenRouter account (its key or its credits), not the caller's request.
    return {
      code: 'upstream_unavailable',
      status: 503,
      retryAfterSeconds: ACCOUNT_RETRY_AFTER_SECONDS,
      detail: `${detail} (this service's OpenRouter account needs the operator's attention)`,
      ...upstream,
    };
  }
  return { code: 'upstream_rejected', status: 400, detail, ...upstream };
}

function failed(
  code: UpstreamCode,
  status: UpstreamFailure['status'],
  detail: string,
): { type: 'failed'; failure: UpstreamFailure } {
  const retryAfterSeconds = code === 'upstream_rejected' ? undefined : DEFAULT_RETRY_AFTER_SECONDS;
  return { type: 'failed', failure: { code, status, detail, retryAfterSeconds } };
}

/** `error.message` of OpenRouter's error body, if it is one. */
function errorMessage(text: string): string | undefined {
  const body = parseJson(text);
  const error = isRecord(body) ? body.error : undefined;
  const message = isRecord(error) ? error.message : undefined;
  return typeof message === 'string' && message !== '' ? message.slice(0, 300) : undefined;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sample(text: string): string {
  return JSON.stringify(text.slice(0, 120));
}
