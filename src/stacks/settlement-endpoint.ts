/**
 * The HTTP exchange both settlers make (DESIGN section 5): one POST with a time limit. When the
 * request fails, times out or is answered 5xx, the outcome is unknown, because the transaction
 * may be in a mempool: the settler answers `unknown` and the claim is kept.
 */
import type { SettleOutcome } from '../payment/settler';

export type UnknownSettleOutcome = Extract<SettleOutcome, { type: 'unknown' }>;

/** A settlement endpoint's answer below 500: its status, its body as text and parsed as JSON. */
export interface SettlementAnswer {
  type: 'answered';
  status: number;
  ok: boolean;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

export interface SettlementEndpointOptions {
  /** The full URL to POST to. */
  url: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Who answers, as the outcome details name it: "the facilitator", "the Stacks node". */
  peer: string;
}

export class SettlementEndpoint {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #peer: string;

  constructor(options: SettlementEndpointOptions) {
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#peer = options.peer;
  }

  async post(
    contentType: string,
    body: BodyInit,
  ): Promise<SettlementAnswer | UnknownSettleOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return unknownSettleOutcome(
        timedOut
          ? `${this.#peer} did not answer within ${this.#timeoutMs} ms`
          : `${this.#peer} is unreachable: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    if (response.status >= 500) return this.unexpectedAnswer(response.status);
    return {
      type: 'answered',
      status: response.status,
      ok: response.ok,
      text,
      json: parseJson(text),
    };
  }

  /** An answer the settler cannot read: the outcome is unknown. */
  unexpectedAnswer(status: number): UnknownSettleOutcome {
    return unknownSettleOutcome(`${this.#peer} answered ${status}`);
  }
}

export function unknownSettleOutcome(detail: string): UnknownSettleOutcome {
  return { type: 'unknown', code: 'unexpected_settle_error', detail };
}

/** The URL of `path` under a configured base URL that may end with slashes. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
