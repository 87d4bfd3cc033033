/**
 * The few Stacks API reads the payment lifecycle needs (Hiro API shapes):
 * `GET /extended/v1/tx/0x{txid}` and `GET /extended/v1/address/{address}/nonces`.
 * Every call has a timeout; a failure is reported, never thrown, so callers can retry later.
 */
export type TxLookup =
  | { type: 'found'; txStatus: string; blockHeight?: number }
  | { type: 'missing' }
  | { type: 'error'; detail: string };

export type NonceLookup =
  | { type: 'found'; lastExecutedNonce: number | null }
  | { type: 'error'; detail: string };

export interface StacksApiOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What the payment lifecycle reads from the chain (a fake in tests). */
export interface ChainReader {
  getTransaction(txid: string): Promise<TxLookup>;
  getNonces(address: string): Promise<NonceLookup>;
}

export class StacksApi implements ChainReader {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: StacksApiOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async getTransaction(txid: string): Promise<TxLookup> {
    const result = await this.#getJson(`/extended/v1/tx/0x${txid.replace(/^0x/i, '')}`);
    if (result.type === 'error') return result;
    if (result.status === 404) return { type: 'missing' };
    const body = result.body as { tx_status?: unknown; block_height?: unknown } | null;
    if (result.status !== 200 || typeof body?.tx_status !== 'string') {
      return { type: 'error', detail: `unexpected answer ${result.status} from the Stacks API` };
    }
    return {
      type: 'found',
      txStatus: body.tx_status,
      ...(typeof body.block_height === 'number' ? { blockHeight: body.block_height } : {}),
    };
  }

  async getNonces(address: string): Promise<NonceLookup> {
    const result = await this.#getJson(`/extended/v1/address/${address}/nonces`);
    if (result.type === 'error') return result;
    const body = result.body as { last_executed_tx_nonce?: unknown } | null;
    if (result.status !== 200 || !body) {
      return { type: 'error', detail: `unexpected answer ${result.status} from the Stacks API` };
    }
    const last = body.last_executed_tx_nonce;
    return { type: 'found', lastExecutedNonce: typeof last === 'number' ? last : null };
  }

  async #getJson(
    path: string,
  ): Promise<{ type: 'ok'; status: number; body: unknown } | { type: 'error'; detail: string }> {
    try {
      const response = await this.#fetch(`${this.#baseUrl}${path}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      if (response.status >= 500 || response.status === 429) {
        return { type: 'error', detail: `the Stacks API answered ${response.status}` };
      }
      return { type: 'ok', status: response.status, body };
    } catch (error) {
      return {
        type: 'error',
        detail: `the Stacks API is unreachable: ${(error as Error).message}`,
      };
    }
  }
}
