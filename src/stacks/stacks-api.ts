/**
 * The few Stacks API reads the payment lifecycle needs (Hiro API shapes):
 * `GET /extended/v1/tx/0x{txid}` and `GET /extended/v1/address/{address}/nonces`.
 * Every call has a timeout; a failure is reported, never thrown, so callers can retry later.
 */
import { StacksUpstream, type UpstreamOptions } from './upstream';

export type TxLookup =
  | { type: 'found'; txStatus: string; blockHeight?: number }
  | { type: 'missing' }
  | { type: 'error'; detail: string };

export type NonceLookup =
  | { type: 'found'; lastExecutedNonce: number | null }
  | { type: 'error'; detail: string };

/** What the payment lifecycle reads from the chain (a fake in tests). */
export interface ChainReader {
  getTransaction(txid: string): Promise<TxLookup>;
  getNonces(address: string): Promise<NonceLookup>;
}

/** The lifecycle's reads, over the shared upstream client. */
export class StacksApi implements ChainReader {
  readonly #upstream: StacksUpstream;

  constructor(options: UpstreamOptions) {
    this.#upstream = new StacksUpstream(options);
  }

  async getTransaction(txid: string): Promise<TxLookup> {
    const result = await this.#upstream.get(`/extended/v1/tx/0x${txid.replace(/^0x/i, '')}`);
    if (result.type === 'error') return { type: 'error', detail: result.detail };
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
    const result = await this.#upstream.get(`/extended/v1/address/${address}/nonces`);
    if (result.type === 'error') return { type: 'error', detail: result.detail };
    const body = result.body as { last_executed_tx_nonce?: unknown } | null;
    if (result.status !== 200 || !body) {
      return { type: 'error', detail: `unexpected answer ${result.status} from the Stacks API` };
    }
    const last = body.last_executed_tx_nonce;
    return { type: 'found', lastExecutedNonce: typeof last === 'number' ? last : null };
  }
}
