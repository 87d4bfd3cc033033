/**
 * Settling and delivering a claimed payment (DESIGN section 5): the `authorization` and `upfront`
 * orders, `mempool` and `confirmed` delivery, and collecting a result on a retry.
 *
 * Money rules kept here: content is delivered at most once per payment (delivered_at), an
 * upfront handler runs at most once per payment (served), a definite rejection charges nothing
 * and frees the claim, and an unknown outcome (timeout, 5xx) is tracked and answered 202, never a
 * fresh 402 that would invite paying twice.
 *
 * Round trips: on the normal path the settlement outcome, the delivery and the stored answer are
 * written in one D1 batch, and the tracker is started after the answer (`waitUntil`), so a paid
 * call costs two D1 round trips (three with the upfront order) besides the broadcast.
 */
import type { Context, Handler } from 'hono';
import type { DeliveryMode, ServiceConfig } from '../config';
import { bytesToHex } from '../encoding/hex';
import { afterAnswer } from '../http/after-answer';
import type { AppEnv, ServedPayment } from '../env';
import type { PaymentErrorCode } from './errors';
import type { PaidPrecheck, PaymentDeps } from './gate';
import {
  type Challenge,
  jsonError,
  type PaymentRef,
  paymentPending,
  paymentRequired,
  settlementResponse,
  withReceipt,
} from './http-responses';
import { paymentInProgress } from './in-progress';
import {
  getPayment,
  type LedgerRow,
  markCollectable,
  markDelivered,
  markServed,
  releaseClaimStatements,
  transition,
  transitionStatements,
} from './ledger';
import type { PayerFlag } from './payer-flags';
import {
  type IdentifierKey,
  releaseIdentifier,
  releaseIdentifierStatement,
} from './payment-identifier';
import type { SettleOutcome } from './settler';
import { requireMinableSponsorNonce, type SponsorNonceView } from './sponsor-order';
import { releaseSponsorNonce, type SettleContext, settlePayment } from './sponsorship';
import {
  loadResponse,
  readForStorage,
  type StoredResponse,
  storeResponseStatement,
  toResponse,
} from './stored-responses';
import {
  checkOnChain,
  type TrackedPayment,
  type TrackingJob,
  trackedSponsorship,
  waitForConfirmation,
} from './tracking';
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
  precheck?: PaidPrecheck;
  delivery: DeliveryMode;
  /** The delivery was decided after the claim was written (the chain could not vouch for it). */
  deliveryChanged?: boolean;
  flag: PayerFlag | null;
  identifier?: IdentifierKey;
  /** The `updated_at` this request holds the claim by (see `releaseClaimStatements`). */
  claimedAt: number;
  /** A payment the Worker sponsors: the sponsor's nonces as read while leasing. */
  sponsorView?: SponsorNonceView;
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

export function tracked(row: LedgerRow): TrackedPayment {
  return {
    paymentId: row.payment_id,
    txid: row.txid,
    payer: row.payer,
    nonce: row.nonce,
    network: row.network,
    ...(row.origin_txid ? { originTxid: row.origin_txid } : {}),
  };
}

/** `authorization` order: run the handler; settle only if it answered below 400. */
export async function serveThenSettle(paid: PaidRequest): Promise<Response> {
  const { c, payment } = paid;
  const db = c.env.DB;
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
  const broadcastAt = Date.now();
  const outcome = await settlePayment(settleContext(paid), true);
  if (outcome.type === 'rejected') return rejected(paid, outcome, broadcastAt);
  if (outcome.type === 'unknown') return unknownOutcome(paid, outcome, broadcastAt, response);
  await requireMinableSponsorNonce(paid, settleContext(paid));

  const now = Date.now();
  const deliverNow = paid.delivery === 'mempool';
  // Kept when a retry may collect it: an idempotent retry, or a wait for confirmation.
  const stored =
    paid.identifier !== undefined || !deliverNow ? await readForStorage(response) : undefined;
  await db.batch([
    ...settledStatements(paid, broadcastAt, now, { deliveredAt: deliverNow ? now : undefined }),
    ...(stored ? [storeResponseStatement(db, payment.paymentId, stored, now)] : []),
  ]);
  await afterAnswer(c, startTracker(paid, now), 'starting the payment tracker');
  if (!deliverNow) return deliverWhenConfirmed(paid, payment.paymentId);
  return withReceipt(stored ? toResponse(stored) : response, refOf(payment), c.req.url);
}

/** `upfront` order, for side effects: settle first, then run the handler once. */
export async function settleThenServe(paid: PaidRequest): Promise<Response> {
  const { c, payment } = paid;
  let refusal: Response | null = null;
  try {
    refusal = paid.precheck ? await paid.precheck(c, payment) : null;
  } catch (error) {
    // Nothing was settled: a precheck that breaks must not leave the payer's nonce claimed.
    await releaseNothingCharged(paid);
    throw error;
  }
  if (refusal) {
    await releaseNothingCharged(paid);
    return refusal;
  }
  const broadcastAt = Date.now();
  const outcome = await settlePayment(settleContext(paid), true);
  if (outcome.type === 'rejected') return rejected(paid, outcome, broadcastAt);
  if (outcome.type === 'unknown') return unknownOutcome(paid, outcome, broadcastAt);
  await requireMinableSponsorNonce(paid, settleContext(paid));

  const deliverNow = paid.delivery === 'mempool';
  const now = Date.now();
  // With the move to `mempool`, this request takes the one right to run the handler.
  const [moved] = await c.env.DB.batch(
    settledStatements(paid, broadcastAt, now, { served: deliverNow }),
  );
  await afterAnswer(c, startTracker(paid, now), 'starting the payment tracker');
  if (!deliverNow) return deliverWhenConfirmed(paid, payment.paymentId);
  if (moved?.meta.changes !== 1)
    return inProgress('This payment is being served by another request');
  return runUpfrontHandler(paid, refOf(payment), {
    paymentId: payment.paymentId,
    token: payment.token,
    amount: payment.amount,
  });
}

/** The move to `mempool` after a successful broadcast, with the history it went through. */
function settledStatements(
  paid: PaidRequest,
  broadcastAt: number,
  now: number,
  fields: { deliveredAt?: number; served?: boolean },
): D1PreparedStatement[] {
  return transitionStatements(
    paid.c.env.DB,
    paid.payment.paymentId,
    'mempool',
    {
      ...fields,
      settledAt: now,
      passedThrough: ['broadcasting'],
      passedThroughAt: broadcastAt,
      ...(paid.deliveryChanged ? { delivery: paid.delivery } : {}),
    },
    now,
  );
}

/** A definite "no": nothing is on chain, so the txid and the payer nonce are freed. */
async function rejected(
  paid: PaidRequest,
  outcome: Extract<SettleOutcome, { type: 'rejected' }>,
  broadcastAt: number,
): Promise<Response> {
  const { c, payment } = paid;
  const db = c.env.DB;
  await db.batch([
    ...transitionStatements(db, payment.paymentId, 'failed', {
      reason: outcome.code,
      claimActive: false,
      passedThrough: ['broadcasting'],
      passedThroughAt: broadcastAt,
    }),
    ...(paid.identifier ? [releaseIdentifierStatement(db, paid.identifier)] : []),
  ]);
  return paymentRequired(
    paid.challenge,
    outcome.code,
    outcome.detail,
    settlementResponse(refOf(payment), c.req.url, outcome.code),
  );
}

/**
 * The broadcast timed out or failed with a 5xx: the transaction may be in a mempool. Keep the
 * claim, hand the payment to its tracker (which broadcasts the same bytes again while the outcome
 * is unknown), keep the handler's answer, and let a retry with the same payment collect it.
 */
async function unknownOutcome(
  paid: PaidRequest,
  outcome: Extract<SettleOutcome, { type: 'unknown' }>,
  broadcastAt: number,
  handlerResponse?: Response,
): Promise<Response> {
  const { c, payment } = paid;
  const db = c.env.DB;
  if (payment.sponsorship?.mode === 'worker' && paid.delivery === 'mempool') {
    // Whether its sponsor nonce will be next cannot be known before it lands: a retry or the
    // tracker may move it to `mempool` later, so it is delivered on confirmation.
    paid.delivery = 'confirmed';
    paid.deliveryChanged = true;
  }
  const stored = handlerResponse ? await readForStorage(handlerResponse) : undefined;
  await db.batch([
    ...transitionStatements(
      db,
      payment.paymentId,
      'broadcasting',
      {
        collectable: true,
        reason: outcome.detail,
        ...(paid.deliveryChanged ? { delivery: paid.delivery } : {}),
      },
      broadcastAt,
    ),
    ...(stored ? [storeResponseStatement(db, payment.paymentId, stored)] : []),
  ]);
  // The one path where the tracker must be running before we answer: nobody else will look.
  await startTracker(paid, broadcastAt);
  return paymentPending(
    refOf(payment),
    c.req.url,
    'broadcasting',
    `The settlement outcome is not known yet (${outcome.detail}); the payment is being tracked.`,
  );
}

/** Hands the payment to its tracker, which follows it for the deadline from `from` (the broadcast). */
export function startTracker(paid: PaidRequest, from: number): Promise<void> {
  const { payment, config } = paid;
  const job: TrackingJob = {
    paymentId: payment.paymentId,
    txid: payment.txid,
    payer: payment.payer,
    nonce: payment.nonce.toString(),
    network: payment.requirement.network,
    deadline: from + config.trackingDeadlineMs,
    transaction: bytesToHex(payment.transaction),
    ...trackedSponsorship(payment),
  };
  return paid.deps.startTracking(paid.c.env, job);
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

/** A retry of a paid request: collect the result of its payment (`row`) if it is deliverable now. */
export async function collectPayment(
  paid: PaidRequest,
  row: LedgerRow | null,
  via: { viaIdentifier?: IdentifierKey },
): Promise<Response> {
  const { c, config } = paid;
  // The handler may run on this collection (an upfront route): it reads the payer from here.
  c.set('payment', paid.payment);
  if (!row) return paymentRequired(paid.challenge, 'payment_already_used');
  const paymentId = row.payment_id;
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
      ? paymentInProgress(true)
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
  // Settled as the payment on record (a facilitator's txid is adopted onto that row).
  const payment = { ...paid.payment, paymentId: row.payment_id };
  const outcome = await settlePayment({ ...settleContext(paid), payment }, false);
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
  if (status === 'queued') return paymentInProgress(false);
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

/** Runs an upfront handler for a settled payment collected on a retry, if nobody ran it yet. */
async function serveOnce(paid: PaidRequest, row: LedgerRow): Promise<Response> {
  if (!(await markServed(paid.c.env.DB, row.payment_id))) {
    return inProgress('This payment is being served by another request');
  }
  return runUpfrontHandler(paid, refOf(row), {
    paymentId: row.payment_id,
    token: row.token,
    amount: BigInt(row.amount),
  });
}

/**
 * Runs the upfront handler (this request holds the right to), then keeps its answer and marks it
 * delivered in one batch, with whatever the handler asked to record beside it; a failure after
 * settlement is recorded as owed to the payer.
 *
 * A server-sent event stream is answered as it arrives, never read whole here: it is marked
 * delivered in the same batch (a note stands in for its body, so an idempotent retry learns it
 * was streamed rather than being asked to pay again), and the route records its usage, or the
 * amount owed if the stream fails, when the stream ends.
 */
async function runUpfrontHandler(
  paid: PaidRequest,
  ref: PaymentRef,
  served: ServedPayment,
): Promise<Response> {
  const { c } = paid;
  const db = c.env.DB;
  c.set('served', served);
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
  const recorded = c.get('recordWithAnswer') ?? [];
  const now = Date.now();
  if (isEventStream(response)) {
    await db.batch([
      storeResponseStatement(db, ref.paymentId, STREAM_NOT_KEPT, now),
      deliveredStatement(db, ref.paymentId, null, now),
      ...recorded,
    ]);
    return withReceipt(response, ref, c.req.url);
  }
  const stored: StoredResponse = await readForStorage(response);
  await db.batch([
    storeResponseStatement(db, ref.paymentId, stored, now),
    deliveredStatement(db, ref.paymentId, stored.status >= 400 ? served.amount : null, now),
    ...recorded,
  ]);
  // The first answer keeps the handler's headers (retry-after, a cost header); a retry that
  // collects it later gets the stored status, type and body.
  const answer = new Response(stored.body, { status: stored.status, headers: response.headers });
  return withReceipt(answer, ref, c.req.url);
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
}

/** What an idempotent retry of a streamed answer gets: the stream itself is not kept. */
const STREAM_NOT_KEPT: StoredResponse = {
  status: 410,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({
    code: 'stream_not_kept',
    message:
      'This answer was streamed to the first request and is not kept; its usage is at checkStatusUrl (nothing more was charged).',
  }),
};

function deliveredStatement(
  db: D1Database,
  paymentId: string,
  owed: bigint | null,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE payments SET delivered_at = COALESCE(delivered_at, ?), owed_amount = COALESCE(?, owed_amount),
         updated_at = ? WHERE payment_id = ?`,
    )
    .bind(now, owed === null ? null : owed.toString(), now, paymentId);
}

function inProgress(what: string): Response {
  return jsonError(
    409,
    'payment_identifier_in_progress',
    `${what}; retry in a moment (nothing more is charged).`,
    { 'retry-after': '1' },
  );
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

/**
 * Nothing was broadcast: the claim and the payment-identifier are freed in one batch, and a
 * sponsor nonce leased for the payment goes back.
 */
export async function releaseNothingCharged(paid: PaidRequest): Promise<void> {
  const db = paid.c.env.DB;
  await db.batch([
    ...releaseClaimStatements(db, paid.payment.paymentId, paid.claimedAt),
    ...(paid.identifier ? [releaseIdentifierStatement(db, paid.identifier)] : []),
  ]);
  await releaseSponsorNonce(settleContext(paid));
}

function settleContext(paid: PaidRequest): SettleContext {
  return { deps: paid.deps, env: paid.c.env, config: paid.config, payment: paid.payment };
}
