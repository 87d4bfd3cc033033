/**
 * A posted transaction's way into the mempool, fault injection included. `POST /v2/transactions`
 * and the facilitator's `POST /settle` both go through here, so every broadcast fault applies to
 * both, and a settled payment is admitted exactly as a broadcast one.
 */
import { txidFromData } from '@stacks/transactions';
import type { DevnetChain } from './chain.ts';
import { decodeTransaction } from './decoded-tx.ts';

export type Submission =
  /** Leave the caller waiting (the `hang-broadcast` fault). */
  | { type: 'hang' }
  /** Answer with this HTTP status and no node JSON (the `broadcast-http-error` fault). */
  | { type: 'http-error'; status: number }
  | { type: 'rejected'; txid: string; reason: string; reasonData?: Record<string, unknown> }
  /** In the mempool (or already there); `delayMs` is the `delay-broadcast` fault. */
  | { type: 'accepted'; txid: string; delayMs?: number };

/**
 * Takes one armed broadcast fault, then admits the bytes (unless the fault says otherwise).
 * `raw` is a string when the posted body held no transaction bytes at all: the node's
 * `Deserialization` message, reported against the txid of `body`.
 */
export function submitPosted(
  chain: DevnetChain,
  raw: Uint8Array | string,
  body: Uint8Array,
): Submission {
  const fault = chain.faults.takeBroadcastFault();
  if (fault?.kind === 'hang-broadcast') return { type: 'hang' };
  if (fault?.kind === 'broadcast-http-error') return { type: 'http-error', status: fault.status };
  if (typeof raw === 'string') {
    return {
      type: 'rejected',
      txid: txidFromData(body),
      reason: 'Deserialization',
      reasonData: { message: raw },
    };
  }
  if (fault?.kind === 'reject-broadcast') {
    return {
      type: 'rejected',
      txid: txidOf(raw),
      reason: fault.reason,
      reasonData: fault.reasonData,
    };
  }
  const outcome = chain.submit(raw);
  if (outcome.type === 'rejected') {
    const { reason, reasonData } = outcome.rejection;
    return { type: 'rejected', txid: outcome.txid, reason, reasonData };
  }
  const delayMs = fault?.kind === 'delay-broadcast' ? fault.ms : undefined;
  return { type: 'accepted', txid: outcome.txid, delayMs };
}

/** The txid a node would report for these bytes (of the raw bytes if they do not decode). */
function txidOf(raw: Uint8Array): string {
  try {
    return decodeTransaction(raw).txid;
  } catch {
    return txidFromData(raw);
  }
}
