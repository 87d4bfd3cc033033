/**
 * Following a broadcast payment to a terminal status. Used by the PaymentTracker Durable Object
 * (on its alarms) and by a request that waits for confirmation; both move the ledger forward only
 * (see lifecycle.ts), so they never fight.
 */
import type { ChainReader, NonceLookup } from '../stacks/stacks-api';
import { getPayment, recordOperatorLoss, releaseLostClaim, transition } from './ledger';
import { observeTxStatus, type PaymentStatus, TERMINAL_STATUSES } from './lifecycle';
import { flagPayer } from './payer-flags';
import type { TrackedSponsor } from './sponsor-order';
import type { VerifiedPayment } from './types';

export interface TrackedPayment {
  paymentId: string;
  txid: string;
  payer: string;
  nonce: string;
  network: string;
  /**
   * A sponsored payment: the txid the payer signed. Equal to `txid` only while a facilitator
   * that sponsors has not reported its own txid: the chain then never shows `txid`, and a spent
   * payer nonce may be this very payment, sponsored.
   */
  originTxid?: string;
}

export interface TrackingJob extends TrackedPayment {
  /** Unix ms at which tracking ends: a transaction not mined by then is `not_found`. */
  deadline: number;
  /** The signed transaction (hex), broadcast again while its outcome is unknown. */
  transaction?: string;
  /** Sponsored by the Worker: the sponsor's nonce is watched too. */
  sponsor?: TrackedSponsor;
  /** Sponsored by the facilitator: the bytes we hold lack the sponsor's part; never broadcast. */
  sponsoredBy?: 'facilitator';
}

/** The tracking job's fields for a sponsored payment. */
export function trackedSponsorship(
  payment: VerifiedPayment,
): Pick<TrackingJob, 'originTxid' | 'sponsor' | 'sponsoredBy'> {
  const sponsorship = payment.sponsorship;
  if (sponsorship?.mode === 'worker') {
    const { sponsor, nonce, originTxid } = sponsorship;
    return { originTxid, sponsor: { sponsor, nonce, originTxid } };
  }
  if (sponsorship?.mode === 'facilitator') {
    return { originTxid: sponsorship.originTxid, sponsoredBy: 'facilitator' };
  }
  return {};
}

/** A facilitator sponsored it and its txid is not known: the chain never shows `txid` itself. */
export function sponsoredTxidUnknown(payment: TrackedPayment): boolean {
  return payment.originTxid !== undefined && payment.originTxid === payment.txid;
}

export type CheckResult = { status: PaymentStatus; terminal: boolean };

/**
 * One look at the chain: the transaction's status, or, when the API does not know it, whether the
 * payer's nonce was used by another transaction (a replacement). At or past `deadline` this is
 * the last look: a transaction not mined by then ends `not_found`, so tracking always ends.
 */
export async function checkOnChain(
  db: D1Database,
  api: ChainReader,
  payment: TrackedPayment,
  deadline: number,
  now = Date.now(),
): Promise<CheckResult | null> {
  const final = now >= deadline;
  const lookup = await api.getTransaction(payment.txid);
  if (lookup.type === 'found') {
    const seen = observeTxStatus(lookup.txStatus, lookup.blockHeight);
    if (seen.status === 'confirmed') {
      await transition(
        db,
        payment.paymentId,
        'confirmed',
        { blockHeight: seen.blockHeight, confirmedAt: now },
        now,
      );
    } else if (seen.status !== 'mempool') {
      await settleLoss(db, api, payment, seen.status, seen.reason, now);
    } else if (final) {
      await settleLoss(
        db,
        api,
        payment,
        'not_found',
        'still not mined at the tracking deadline',
        now,
      );
    } else {
      await transition(db, payment.paymentId, 'mempool', { reason: 'seen in the mempool' }, now);
    }
  } else if (lookup.type === 'missing') {
    const nonces = await api.getNonces(payment.payer);
    if (nonceSpent(nonces, payment.nonce) && sponsoredTxidUnknown(payment)) {
      // The facilitator's sponsored version of this very transaction may be what spent the
      // nonce: nothing is judged before the deadline, and then only `not_found`, never a loss
      // blamed on the payer (it was never delivered: delivery needs the sponsored txid).
      if (final) {
        await settleLoss(
          db,
          api,
          payment,
          'not_found',
          "the payer's nonce was spent, perhaps by the facilitator's sponsored transaction, whose txid it never reported",
          now,
          nonces,
        );
      }
    } else if (nonceSpent(nonces, payment.nonce)) {
      await settleLoss(
        db,
        api,
        payment,
        'replaced',
        'the payer nonce was used by another transaction',
        now,
        nonces,
      );
    } else if (final) {
      await settleLoss(
        db,
        api,
        payment,
        'not_found',
        'not seen on chain before the tracking deadline',
        now,
        nonces,
      );
    }
  } else if (final) {
    await settleLoss(
      db,
      api,
      payment,
      'not_found',
      `tracking deadline passed: ${lookup.detail}`,
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

/** True when the chain has executed a transaction of the payer with this nonce (or a later one). */
function nonceSpent(nonces: NonceLookup, nonce: string): boolean {
  return (
    nonces.type === 'found' &&
    nonces.lastExecutedNonce !== null &&
    BigInt(nonces.lastExecutedNonce) >= BigInt(nonce)
  );
}

/**
 * Records a payment that will not be paid for (failed, replaced, or not found by the deadline).
 * Its payer is marked if the content was delivered (the answer went out unpaid), and its claim is
 * freed when the chain has not spent its nonce, so the payer can pay again: a lost payment never
 * locks its payer out. A nonce the chain executed stays claimed (that transaction is final).
 */
export async function settleLoss(
  db: D1Database,
  api: ChainReader,
  payment: TrackedPayment,
  status: 'failed' | 'replaced' | 'not_found',
  reason: string,
  now: number,
  knownNonces?: NonceLookup,
  {
    keepClaim = false,
    operatorsFault = false,
  }: {
    keepClaim?: boolean;
    /** Lost through our own fault (our sponsor's nonce gap): a delivered answer is our loss. */
    operatorsFault?: boolean;
  } = {},
): Promise<void> {
  await transition(db, payment.paymentId, status, { reason }, now);
  const row = await getPayment(db, payment.paymentId);
  if (!row || row.status !== status) return;
  if (row.delivered_at !== null && operatorsFault) {
    await recordOperatorLoss(db, row.payment_id, BigInt(row.amount), now);
  } else if (row.delivered_at !== null) {
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
  if (row.claim_active === 1 && !keepClaim) {
    const nonces = knownNonces ?? (await api.getNonces(payment.payer));
    if (nonces.type === 'found' && !nonceSpent(nonces, payment.nonce)) {
      await releaseLostClaim(db, payment.paymentId);
    }
  }
}

/**
 * Polls until the payment is confirmed or terminal, or `waitMs` passes: at least eight looks
 * within the wait, never more than one every 250 ms nor fewer than one a second.
 */
export async function waitForConfirmation(
  db: D1Database,
  api: ChainReader,
  payment: TrackedPayment,
  deadline: number,
  waitMs: number,
  pollMs = Math.min(1000, Math.max(250, Math.floor(waitMs / 8))),
): Promise<CheckResult | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const result = await checkOnChain(db, api, payment, deadline);
    if (!result || result.terminal || Date.now() + pollMs > until) return result;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
