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

/** A payer's nonces as the Hiro API reports them (`/extended/v1/address/{address}/nonces`). */
export interface PayerNonces {
  lastExecutedNonce: number | null;
  /** The nonce after the payer's last pending one (or after its last executed one). */
  possibleNextNonce: number;
  /** Nonces below the last pending one that no pending transaction carries (a gap). */
  missingNonces: number[];
}

export type NonceLookup = ({ type: 'found' } & PayerNonces) | { type: 'error'; detail: string };

export type TipLookup = { type: 'found'; height: number } | { type: 'error'; detail: string };

/** What the payment lifecycle reads from the chain (a fake in tests). */
export interface ChainReader {
  getTransaction(txid: string): Promise<TxLookup>;
  getNonces(address: string): Promise<NonceLookup>;
  /** The height of the chain tip (`GET /v2/info`, `stacks_tip_height`). */
  getTipHeight(): Promise<TipLookup>;
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
    const body = result.body as {
      last_executed_tx_nonce?: unknown;
      possible_next_nonce?: unknown;
      detected_missing_nonces?: unknown;
    } | null;
    if (result.status !== 200 || !body || typeof body.possible_next_nonce !== 'number') {
      return { type: 'error', detail: `unexpected answer ${result.status} from the Stacks API` };
    }
    const last = body.last_executed_tx_nonce;
    const missing = Array.isArray(body.detected_missing_nonces)
      ? body.detected_missing_nonces.filter((n): n is number => typeof n === 'number')
      : [];
    return {
      type: 'found',
      lastExecutedNonce: typeof last === 'number' ? last : null,
      possibleNextNonce: body.possible_next_nonce,
      missingNonces: missing,
    };
  }

  async getTipHeight(): Promise<TipLookup> {
    const result = await this.#upstream.get('/v2/info');
    if (result.type === 'error') return { type: 'error', detail: result.detail };
    const height = (result.body as { stacks_tip_height?: unknown } | null)?.stacks_tip_height;
    if (result.status !== 200 || typeof height !== 'number') {
      return { type: 'error', detail: `unexpected answer ${result.status} from the Stacks node` };
    }
    return { type: 'found', height };
  }
}
