/**
 * Settling and delivering a claimed payment (DESIGN section 5): the `authorization` and `upfront`
 * orders, `mempool` and `confirmed` delivery, and collecting a result on a retry.
 *
 * Money rules kept here: content is delivered at most once per payment (markDelivered), an
 * upfront handler runs at most once per payment (markServed), a definite rejection charges nothing
 * and frees the claim, and an unknown outcome (timeout, 5xx) is tracked and answered 202, never a
 * fresh 402 that would invite paying twice.
 */
import type { Context, Handler } from 'hono';
import type { DeliveryMode, ServiceConfig } from '../config';
import type { AppEnv } from '../env';
import type { PaymentErrorCode } from './errors';
import type { PaymentDeps } from './gate';
import {
  type Challenge,
  jsonError,
  type PaymentRef,
  paymentPending,
  paymentRequired,
  settlementResponse,
  withReceipt,
} from './http-responses';
import {
  getPayment,
  type LedgerRow,
  markCollectable,
  markDelivered,
  markServed,
  recordOwed,
  releaseClaim,
  transition,
} from './ledger';
import type { PayerFlag } from './payer-flags';
import { type IdentifierKey, releaseIdentifier } from './payment-identifier';
import { loadResponse, storeResponse, toResponse } from './stored-responses';
import { checkOnChain, type TrackedPayment, waitForConfirmation } from './tracking';
import type { SettlementOrder, VerifiedPayment } from './types';

export interface PaidRequest {
  c: Context<AppEnv>;
  next: () => Promise<void>;
  handler: Handler<AppEnv>;
  config: ServiceConfig;
  deps: PaymentDeps;
  challenge: Challenge;
  payment: VerifiedPayment;
  order: SettlementOrder;
  delivery: DeliveryMode;
  flag: PayerFlag | null;
  identifier?: IdentifierKey;
}

function refOf(payment: VerifiedPayment | LedgerRow): PaymentRef {
  return 'payment_id' in payment
    ? {
        paymentId: payment.payment_id,
        payer: payment.payer,
        txid: payment.txid,
        network: payment.network,
      }
    : {
        paymentId: payment.paymentId,
        payer: payment.payer,
        txid: payment.txid,
        network: payment.requirement.network,
      };
}

function tracked(row: LedgerRow): TrackedPayment {
  return {
    paymentId: row.payment_id,
    txid: row.txid,
    payer: row.payer,
    nonce: row.nonce,
    network: row.network,
  };
}

/** `authorization` order: run the handler; settle only if it answered below 400. */
export async function serveThenSettle(paid: PaidRequest): Promise<Response> {
  const { c, payment } = paid;
  let response: Response;
  try {
    response = await paid.handler(c, paid.next);
  } catch (error) {
    await releaseNothingCharged(paid);
    throw error;
  }
  if (response.status >= 400) {
    await releaseNothingCharged(paid);
    return response;
  }
  const settled = await settle(paid, response);
  if (settled) return settled;
  const mustStore = paid.delivery === 'confirmed' || paid.identifier !== undefined;
  if (paid.delivery === 'mempool') {
    const now = Date.now();
    await transition(
      c.env.DB,
      payment.paymentId,
      'mempool',
      { settledAt: now, deliveredAt: now },
      now,
    );
    if (!mustStore) return withReceipt(response, refOf(payment), c.req.url);
    return withReceipt(
      toResponse(await storeResponse(c.env.DB, payment.paymentId, response)),
      refOf(payment),
      c.req.url,
    );
  }
  await transition(c.env.DB, payment.paymentId, 'mempool', { settledAt: Date.now() });
  await storeResponse(c.env.DB, payment.paymentId, response);
  return deliverWhenConfirmed(paid, payment.paymentId);
}

/** `upfront` order, for side effects: settle first, then run the handler once. */
export async function settleThenServe(paid: PaidRequest): Promise<Response> {
  const { c, payment } = paid;
  const settled = await settle(paid);
  if (settled) return settled;
  await transition(c.env.DB, payment.paymentId, 'mempool', { settledAt: Date.now() });
  if (paid.delivery === 'confirmed') return deliverWhenConfirmed(paid, payment.paymentId);
  const row = await getPayment(c.env.DB, payment.paymentId);
  return row
    ? serveOnce(paid, row)
    : jsonError(500, 'internal_error', 'The payment record vanished; contact the operator.');
}

/**
 * Broadcasts (through the configured settler) and hands the payment to its tracker. Returns the
 * answer to send when settlement did not succeed, or null when the payment is in the mempool.
 */
async function settle(paid: PaidRequest, handlerResponse?: Response): Promise<Response | null> {
  const { c, payment, config } = paid;
  await transition(c.env.DB, payment.paymentId, 'broadcasting');
  const outcome = await paid.deps.settlerFor(config).settle(payment);
  if (outcome.type === 'rejected') {
    // A definite "no": nothing is on chain, so the txid and the payer nonce are freed.
    await transition(c.env.DB, payment.paymentId, 'failed', {
      reason: outcome.code,
      claimActive: false,
    });
    if (paid.identifier) await releaseIdentifier(c.env.DB, paid.identifier);
    return paymentRequired(
      paid.challenge,
      outcome.code,
      outcome.detail,
      settlementResponse(refOf(payment), c.req.url, outcome.code),
    );
  }
  await paid.deps.startTracking(c.env, {
    paymentId: payment.paymentId,
    txid: payment.txid,
    payer: payment.payer,
    nonce: payment.nonce.toString(),
    network: payment.requirement.network,
    deadline: Date.now() + config.trackingDeadlineMs,
  });
  if (outcome.type === 'unknown') {
    // It may be in a mempool: keep the claim, follow it, and let a retry collect the result.
    // With the authorization order the handler already answered: keep it for the retry.
    if (handlerResponse) await storeResponse(c.env.DB, payment.paymentId, handlerResponse);
    return pending(
      paid,
      refOf(payment),
      'broadcasting',
      `The settlement outcome is not known yet (${outcome.detail}); the payment is being tracked.`,
    );
  }
  return null;
}

/** Waits (bounded) for confirmation, then delivers; past the bound answers 202. */
async function deliverWhenConfirmed(paid: PaidRequest, paymentId: string): Promise<Response> {
  const { c, config } = paid;
  const row = await getPayment(c.env.DB, paymentId);
  if (!row)
    return jsonError(500, 'internal_error', 'The payment record vanished; contact the operator.');
  const api = paid.deps.chainFor(config);
  const result = await waitForConfirmation(
    c.env.DB,
    api,
    tracked(row),
    row.created_at + config.trackingDeadlineMs,
    config.confirmationWaitMs,
  );
  return answerFor(paid, paymentId, result?.status);
}

/** A retry of a paid request: collect its result if it is deliverable now. */
export async function collectPayment(
  paid: PaidRequest,
  paymentId: string,
  via: { viaIdentifier?: IdentifierKey },
): Promise<Response> {
  const { c, config } = paid;
  const row = await getPayment(c.env.DB, paymentId);
  if (!row) return paymentRequired(paid.challenge, 'payment_already_used');
  if (row.delivered_at !== null) {
    // Delivered before: only an idempotent retry (same id, same request) gets the answer again.
    const stored = via.viaIdentifier ? await loadResponse(c.env.DB, paymentId) : null;
    return stored
      ? withReceipt(toResponse(stored), refOf(row), c.req.url)
      : paymentRequired(paid.challenge, 'payment_already_used');
  }
  if (row.collectable === 0) {
    // The first request for this payment is still being answered: not a collection.
    return via.viaIdentifier
      ? jsonError(
          409,
          'payment_identifier_in_progress',
          'A request with this payment-identifier is being processed; retry it in a moment (nothing was charged).',
          { 'retry-after': '1' },
        )
      : paymentRequired(paid.challenge, 'payment_already_used');
  }
  let status = row.status;
  if (status === 'broadcasting' || status === 'mempool') {
    const api = paid.deps.chainFor(config);
    status =
      (await checkOnChain(c.env.DB, api, tracked(row), row.created_at + config.trackingDeadlineMs))
        ?.status ?? status;
  }
  if (status === 'broadcasting' && paid.payment.txid === row.txid) {
    status = await rebroadcast(paid, row);
  }
  return answerFor(paid, paymentId, status);
}

/**
 * The outcome of the first broadcast was unknown (a timeout or 5xx) and the chain has not seen
 * the transaction: the retry carries the very same signed bytes, so broadcasting them again is
 * safe (one txid, one nonce: it can be charged once at most) and unblocks the payer. Only a
 * success changes anything; any other answer leaves the payment to its tracker.
 */
async function rebroadcast(paid: PaidRequest, row: LedgerRow): Promise<LedgerRow['status']> {
  const outcome = await paid.deps.settlerFor(paid.config).settle(paid.payment);
  if (outcome.type !== 'settled') return row.status;
  await transition(paid.c.env.DB, row.payment_id, 'mempool', {
    reason: 'broadcast again on a retry',
    settledAt: Date.now(),
  });
  return 'mempool';
}

async function answerFor(
  paid: PaidRequest,
  paymentId: string,
  status: string | undefined,
): Promise<Response> {
  const { c } = paid;
  const row = await getPayment(c.env.DB, paymentId);
  if (!row || status === undefined)
    return jsonError(500, 'internal_error', 'The payment record vanished; contact the operator.');
  const ref = refOf(row);
  if (status === 'failed' || status === 'replaced' || status === 'not_found') {
    if (paid.identifier) await releaseIdentifier(c.env.DB, paid.identifier);
    const code: PaymentErrorCode = 'transaction_failed';
    return paymentRequired(
      paid.challenge,
      code,
      `the payment ended ${status}`,
      settlementResponse(ref, c.req.url, code),
    );
  }
  if (status === 'queued') {
    return jsonError(
      409,
      'payment_identifier_in_progress',
      'This payment is being processed by another request; retry in a moment.',
      {
        'retry-after': '1',
      },
    );
  }
  const deliverable =
    status === 'confirmed' || (status === 'mempool' && row.delivery === 'mempool');
  if (!deliverable) {
    const why = paid.flag
      ? `This payer is served on confirmed payments only, since payment ${paid.flag.paymentId} ended ${paid.flag.reason}.`
      : 'This route delivers once the payment is confirmed.';
    return pending(paid, ref, status, `The payment is ${status}. ${why}`);
  }
  if (row.settle_order === 'upfront' && row.served === 0) return serveOnce(paid, row);
  const stored = await loadResponse(c.env.DB, paymentId);
  if (!stored) return pending(paid, ref, status, 'The result is being prepared.');
  if (!(await markDelivered(c.env.DB, paymentId)))
    return paymentRequired(paid.challenge, 'payment_already_used');
  return withReceipt(toResponse(stored), ref, c.req.url);
}

/** Runs an upfront handler exactly once for a settled payment; a failure is owed to the payer. */
async function serveOnce(paid: PaidRequest, row: LedgerRow): Promise<Response> {
  const { c } = paid;
  if (!(await markServed(c.env.DB, row.payment_id))) {
    return jsonError(
      409,
      'payment_identifier_in_progress',
      'This payment is being served by another request; retry in a moment.',
      {
        'retry-after': '1',
      },
    );
  }
  let response: Response;
  try {
    response = await paid.handler(c, paid.next);
  } catch (error) {
    console.error('upfront handler failed after settlement', error);
    response = jsonError(
      500,
      'internal_error',
      'The work failed after payment; the amount is recorded as owed to you.',
    );
  }
  if (response.status >= 400) await recordOwed(c.env.DB, row.payment_id, BigInt(row.amount));
  const stored = await storeResponse(c.env.DB, row.payment_id, response);
  await markDelivered(c.env.DB, row.payment_id);
  return withReceipt(toResponse(stored), refOf(row), c.req.url);
}

/** 202, and from now on a retry with the same payment collects the result. */
async function pending(
  paid: PaidRequest,
  ref: PaymentRef,
  status: string,
  why: string,
): Promise<Response> {
  await markCollectable(paid.c.env.DB, ref.paymentId);
  return paymentPending(ref, paid.c.req.url, status, why);
}

async function releaseNothingCharged(paid: PaidRequest): Promise<void> {
  await releaseClaim(paid.c.env.DB, paid.payment.paymentId);
  if (paid.identifier) await releaseIdentifier(paid.c.env.DB, paid.identifier);
}
