/**
 * Following a broadcast payment to a terminal status. Used by the PaymentTracker Durable Object
 * (on its alarms) and by a request that waits for confirmation; both move the ledger forward only
 * (see lifecycle.ts), so they never fight.
 */
import type { ChainReader } from '../stacks/stacks-api';
import { getPayment, transition } from './ledger';
import { isLostPayment, observeTxStatus, type PaymentStatus, TERMINAL_STATUSES } from './lifecycle';
import { flagPayer } from './payer-flags';

export interface TrackedPayment {
  paymentId: string;
  txid: string;
  payer: string;
  nonce: string;
  network: string;
}

export interface TrackingJob extends TrackedPayment {
  /** Unix ms after which an unseen transaction is `not_found`. */
  deadline: number;
}

export type CheckResult = { status: PaymentStatus; terminal: boolean };

/**
 * One look at the chain: the transaction's status, or, when the API does not know it, whether the
 * payer's nonce was used by another transaction (a replacement). Past `deadline`, a transaction
 * still unseen is `not_found`.
 */
export async function checkOnChain(
  db: D1Database,
  api: ChainReader,
  payment: TrackedPayment,
  deadline: number,
  now = Date.now(),
): Promise<CheckResult | null> {
  const lookup = await api.getTransaction(payment.txid);
  if (lookup.type === 'found') {
    const seen = observeTxStatus(lookup.txStatus, lookup.blockHeight);
    if (seen.status === 'mempool') {
      await transition(db, payment.paymentId, 'mempool', { reason: 'seen in the mempool' }, now);
    } else if (seen.status === 'confirmed') {
      await transition(
        db,
        payment.paymentId,
        'confirmed',
        { blockHeight: seen.blockHeight, confirmedAt: now },
        now,
      );
    } else {
      await settleLoss(db, payment, seen.status, seen.reason, now);
    }
  } else if (lookup.type === 'missing') {
    const nonces = await api.getNonces(payment.payer);
    const used =
      nonces.type === 'found' &&
      nonces.lastExecutedNonce !== null &&
      BigInt(nonces.lastExecutedNonce) >= BigInt(payment.nonce);
    if (used) {
      await settleLoss(
        db,
        payment,
        'replaced',
        'the payer nonce was used by another transaction',
        now,
      );
    } else if (now >= deadline) {
      await transition(
        db,
        payment.paymentId,
        'not_found',
        { reason: 'not seen on chain before the tracking deadline' },
        now,
      );
    }
  } else if (now >= deadline) {
    await transition(
      db,
      payment.paymentId,
      'not_found',
      { reason: `tracking deadline passed: ${lookup.detail}` },
      now,
    );
  }
  const row = await getPayment(db, payment.paymentId);
  if (!row) return null;
  return {
    status: row.status,
    terminal: TERMINAL_STATUSES.has(row.status),
  };
}

/** Records a failed or replaced payment, and marks its payer if the content was delivered. */
async function settleLoss(
  db: D1Database,
  payment: TrackedPayment,
  status: 'failed' | 'replaced',
  reason: string,
  now: number,
): Promise<void> {
  await transition(db, payment.paymentId, status, { reason }, now);
  const row = await getPayment(db, payment.paymentId);
  if (row && isLostPayment(row.status) && row.delivered_at !== null) {
    await flagPayer(
      db,
      {
        network: row.network,
        payer: row.payer,
        paymentId: row.payment_id,
        reason: `${row.status}: ${reason}`,
      },
      now,
    );
  }
}

/** Polls until the payment is confirmed or terminal, or `waitMs` passes. */
export async function waitForConfirmation(
  db: D1Database,
  api: ChainReader,
  payment: TrackedPayment,
  deadline: number,
  waitMs: number,
  pollMs = 1000,
): Promise<CheckResult | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const result = await checkOnChain(db, api, payment, deadline);
    if (!result || result.terminal || Date.now() + pollMs > until) return result;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
