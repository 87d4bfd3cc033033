/**
 * Payments left `queued` (issue 7, defect 2: no payer locked out). A request that dies between its
 * claim and its broadcast (its isolate evicted, its client gone and the runtime cancelling it, an
 * exception) leaves its payment `queued`: the txid and the payer's nonce claimed, nothing
 * broadcast, and every retry told that the payment is in progress, forever.
 *
 * A retry of the same request carrying the very same transaction (so the bytes to broadcast are at
 * hand), with or without its payment-identifier, that finds the payment still `queued`
 * STALE_QUEUED_MS after its claim takes it over: one conditional UPDATE of `updated_at`, the
 * claim's stamp, so of any number of concurrent retries exactly one wins and the others are told
 * it is in progress. The winner goes on as the dead request would have, as that payment (same
 * payment id, same txid). The dead request may have broadcast just before it died, so the chain
 * is asked first: a transaction it already has is adopted with its status, not broadcast again,
 * and while the chain cannot say, nothing is taken over.
 */
import type { NonceLookup, TxLookup } from '../stacks/stacks-api';
import { collectPayment, type PaidRequest, startTracker } from './delivery';
import { jsonError } from './http-responses';
import { paymentInProgress } from './in-progress';
import {
  getPayment,
  type LedgerRow,
  recordOwedStatement,
  takeOverQueued,
  transitionStatements,
} from './ledger';
import { observeTxStatus } from './lifecycle';
import { nonceOrder } from './nonce-order';
import type { IdentifierKey } from './payment-identifier';
import { deliverOnConfirmation, settleClaimed } from './settle-claimed';
import type { Settler } from './settler';
import { settlePayment } from './sponsorship';
import { readForStorage, type StoredResponse, storeResponseStatement } from './stored-responses';

/**
 * How long a payment may stay `queued` before a retry takes it over. Longer than any live
 * request takes from its claim to its broadcast (an `authorization` handler or an `upfront`
 * precheck, both bounded well below it); `updated_at` is unix ms.
 */
export const STALE_QUEUED_MS = 30_000;

const TAKEN_OVER = 'taken over by a retry: the request that claimed it stopped before broadcasting';

export interface Retry {
  /** The retry's request hash: only the same request may go on with the payment. */
  requestHash: string;
  /** The payer's nonces, read beside opening the payment. */
  nonces: NonceLookup;
  /** The retry came by this payment-identifier. */
  viaIdentifier?: IdentifierKey;
}

/**
 * A retry of the request that claimed `row`: collects the payment's result, or takes the payment
 * over if its request left it `queued` for longer than STALE_QUEUED_MS.
 */
export async function answerRetry(
  paid: PaidRequest,
  row: LedgerRow | null,
  retry: Retry,
  now = Date.now(),
): Promise<Response> {
  const sameRequest = row?.txid === paid.payment.txid && row.request_hash === retry.requestHash;
  if (row?.status !== 'queued' || row.collectable === 1 || !sameRequest) {
    return collectPayment(paid, row, retry);
  }
  if (now - row.updated_at >= STALE_QUEUED_MS) return takeOver(paid, row, retry, now);
  // A copy of a request still being answered keeps the single-use answer (collectPayment); a
  // payment another retry has taken over (its stamp moved) is in progress.
  return row.updated_at === row.created_at
    ? collectPayment(paid, row, retry)
    : paymentInProgress(retry.viaIdentifier !== undefined);
}

async function takeOver(
  paid: PaidRequest,
  row: LedgerRow,
  retry: Retry,
  now: number,
): Promise<Response> {
  const inProgress = paymentInProgress(retry.viaIdentifier !== undefined);
  // Without the chain's answer a blind broadcast could meet a transaction mined meanwhile, be
  // refused for its spent nonce, and fail a payment that was made.
  const lookup = await paid.deps.chainFor(paid.config).getTransaction(row.txid);
  if (lookup.type === 'error') return inProgress;
  const reason =
    lookup.type === 'found'
      ? `${TAKEN_OVER}; the chain has its transaction already (${lookup.txStatus}), so it is not broadcast again`
      : TAKEN_OVER;
  if (!(await takeOverQueued(paid.c.env.DB, row.payment_id, row.updated_at, reason, now))) {
    return inProgress;
  }
  // From here this request holds the claim, as the request that made it did.
  paid.payment.paymentId = row.payment_id;
  paid.claimedAt = now;
  if (retry.viaIdentifier) paid.identifier = retry.viaIdentifier;
  if (row.delivery === 'confirmed') paid.delivery = 'confirmed';
  else if (paid.delivery !== row.delivery) paid.deliveryChanged = true;
  if (lookup.type === 'missing') return settleClaimed(paid, retry.nonces);
  return adoptOnChain(paid, row, lookup, retry, now);
}

/** Settles nothing: the transaction is on chain already (bookkeeping of a sponsored one follows). */
const ALREADY_ON_CHAIN: Settler = {
  settle: async (payment) => ({ type: 'settled', txid: payment.txid }),
};

/**
 * The chain has the transaction: the payment moves on from `broadcasting` as after a 202 and is
 * collected like one (its status read from the chain, its answer delivered once).
 */
async function adoptOnChain(
  paid: PaidRequest,
  row: LedgerRow,
  lookup: Extract<TxLookup, { type: 'found' }>,
  retry: Retry,
  now: number,
): Promise<Response> {
  const db = paid.c.env.DB;
  const seen = observeTxStatus(lookup.txStatus, lookup.blockHeight);
  const paidFor = seen.status === 'mempool' || seen.status === 'confirmed';
  if (
    retry.nonces.type !== 'found' ||
    nonceOrder(retry.nonces, paid.payment.nonce).type === 'gap'
  ) {
    deliverOnConfirmation(paid);
  }
  let stored: StoredResponse | undefined;
  if (paidFor) {
    // A sponsor nonce lease is spent and the fee recorded, as after the broadcast.
    const deps = { ...paid.deps, settlerFor: () => ALREADY_ON_CHAIN };
    await settlePayment(
      { deps, env: paid.c.env, config: paid.config, payment: paid.payment },
      true,
    );
    if (row.settle_order === 'authorization') stored = await answerAgain(paid);
  }
  await db.batch([
    ...transitionStatements(
      db,
      row.payment_id,
      'broadcasting',
      {
        collectable: true,
        ...(paidFor ? { settledAt: now } : {}),
        ...(paid.deliveryChanged ? { delivery: paid.delivery } : {}),
      },
      now,
    ),
    ...(stored ? [storeResponseStatement(db, row.payment_id, stored, now)] : []),
    ...(stored && stored.status >= 400
      ? [recordOwedStatement(db, row.payment_id, BigInt(row.amount), now)]
      : []),
  ]);
  if (paidFor) await startTracker(paid, now);
  return collectPayment(paid, await getPayment(db, row.payment_id), retry);
}

/**
 * The `authorization` order's answer, which the dead request computed before its broadcast and
 * never kept: computed again. The payment is made, so a failure now is owed to the payer.
 */
async function answerAgain(paid: PaidRequest): Promise<StoredResponse> {
  paid.c.set('payment', paid.payment);
  try {
    return await readForStorage(await paid.handler(paid.c, paid.next));
  } catch (error) {
    console.error('handler failed for a payment already on chain', error);
    return readForStorage(
      jsonError(
        500,
        'internal_error',
        'The work failed after payment; the amount is recorded as owed to you.',
      ),
    );
  }
}
