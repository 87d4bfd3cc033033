/**
 * HTTP to the Stacks node / Stacks API with a timeout, and failures classified once: not found
 * is an answer, while a timeout, an unreachable host, a 429 or a 5xx are upstream errors that a
 * route turns into a clear status (and, being >= 400, are never charged).
 */
export type UpstreamError =
  | { kind: 'timeout'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'rate_limited'; detail: string; retryAfterSeconds: number }
  | { kind: 'server_error'; detail: string };

export type UpstreamResult =
  | { type: 'ok'; status: number; body: unknown; text: string }
  | ({ type: 'error' } & UpstreamError);

export interface UpstreamOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class StacksUpstream {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: UpstreamOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get(path: string): Promise<UpstreamResult> {
    return this.#request(path, { headers: { accept: 'application/json' } });
  }

  post(path: string, body: unknown): Promise<UpstreamResult> {
    return this.#request(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async #request(path: string, init: RequestInit): Promise<UpstreamResult> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        return {
          type: 'error',
          kind: 'timeout',
          detail: `the Stacks API did not answer within ${this.#timeoutMs} ms`,
        };
      }
      return {
        type: 'error',
        kind: 'unreachable',
        detail: `the Stacks API is unreachable: ${(error as Error).message}`,
      };
    }
    const text = await response.text();
    if (response.status === 429) {
      const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
      return {
        type: 'error',
        kind: 'rate_limited',
        detail: 'the Stacks API is rate limiting us',
        retryAfterSeconds:
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 300) : 5,
      };
    }
    if (response.status >= 500) {
      return {
        type: 'error',
        kind: 'server_error',
        detail: `the Stacks API answered ${response.status}`,
      };
    }
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { type: 'ok', status: response.status, body, text };
  }
}
