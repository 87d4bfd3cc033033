/**
 * The D1 payment ledger: single-use claims (DESIGN section 4 item 8) and the lifecycle with its
 * history (section 5). The claim is one INSERT guarded by two partial unique indexes over active
 * claims (txid; network+payer+nonce): SQLite applies it atomically, so of any number of concurrent
 * requests carrying one payment exactly one gets the row. Each status change and its history event
 * are written in one batch (one transaction), and only when the change is allowed.
 *
 * Every D1 call is a round trip to the primary in production, so writes are built as statements
 * (`*Statements`) that the paid path composes into as few `db.batch` calls as the money rules
 * allow: one to open a payment, one when its settlement outcome is known (delivery included).
 */
import type { DeliveryMode } from '../config';
import { type PaymentStatus, PREDECESSORS } from './lifecycle';
import type { PayerFlag } from './payer-flags';
import type { IdentifierKey } from './payment-identifier';

export interface PaymentClaim {
  paymentId: string;
  txid: string;
  network: string;
  payer: string;
  nonce: bigint;
  route: string;
  token: string;
  asset: string;
  amount: bigint;
  price: bigint;
  payTo: string;
  order: string;
  delivery: string;
  requestHash: string;
  /** A sponsored payment: the txid of the bytes the payer signed. */
  originTxid?: string;
}

export interface LedgerRow {
  payment_id: string;
  txid: string;
  network: string;
  payer: string;
  nonce: string;
  route: string;
  token: string;
  asset: string;
  amount: string;
  price: string;
  pay_to: string;
  settle_order: string;
  delivery: string;
  status: PaymentStatus;
  claim_active: number;
  terminal_reason: string | null;
  request_hash: string;
  served: number;
  collectable: number;
  delivered_at: number | null;
  owed_amount: string | null;
  block_height: number | null;
  created_at: number;
  updated_at: number;
  settled_at: number | null;
  confirmed_at: number | null;
  /** Sponsored payments: the txid the payer signed (equal to `txid` until a facilitator reports its own). */
  origin_txid: string | null;
  /** Atomic units of a delivered answer we will not be paid for through our own fault. */
  operator_loss: string | null;
}

export interface LedgerEvent {
  status: PaymentStatus;
  reason: string | null;
  at: number;
}

export function newPaymentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `pay_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const RECORD_EVENT = `INSERT INTO payment_events (payment_id, status, reason, at) SELECT ?, ?, ?, ? WHERE changes() = 1`;

/** Claims a payment (status `queued`); false when its txid or its payer nonce is claimed already. */
export async function claimPayment(
  db: D1Database,
  claim: PaymentClaim,
  now = Date.now(),
): Promise<boolean> {
  return (await openPayment(db, claim, undefined, now)).claimed;
}

export interface OpenedPayment {
  /** This request holds the payment's single-use claim. */
  claimed: boolean;
  /** The payer is marked (a delivered payment of theirs was lost): served on confirmation only. */
  flag: PayerFlag | null;
  /** The payment-identifier's row after this request's attempt to take it. */
  identifier?: { requestHash: string; paymentId: string };
}

/**
 * One round trip that opens a paid request: takes the payment-identifier (when given) and the
 * single-use claim, and reads the payer's mark. The claim is only inserted when this request took
 * the identifier, so concurrent retries of one logical request cannot both go on to pay; a marked
 * payer's claim is recorded with `confirmed` delivery.
 */
export async function openPayment(
  db: D1Database,
  claim: PaymentClaim,
  identifier: IdentifierKey | undefined,
  now = Date.now(),
): Promise<OpenedPayment> {
  const ownsIdentifier = identifier
    ? `EXISTS (SELECT 1 FROM payment_identifiers WHERE network = ? AND payer = ? AND id = ? AND payment_id = ?)`
    : '1';
  const identifierArgs = identifier
    ? [identifier.network, identifier.payer, identifier.id, claim.paymentId]
    : [];
  const statements: D1PreparedStatement[] = [];
  if (identifier) {
    statements.push(
      db
        .prepare(
          `INSERT INTO payment_identifiers (network, payer, id, request_hash, payment_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .bind(
          identifier.network,
          identifier.payer,
          identifier.id,
          claim.requestHash,
          claim.paymentId,
          now,
        ),
    );
  }
  statements.push(
    db
      .prepare(
        `INSERT INTO payments (payment_id, txid, network, payer, nonce, route, token, asset, amount, price,
           pay_to, settle_order, delivery, status, request_hash, created_at, updated_at, origin_txid)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
           CASE WHEN EXISTS (SELECT 1 FROM payer_flags WHERE network = ? AND payer = ?) THEN 'confirmed' ELSE ? END,
           'queued', ?, ?, ?, ?
         WHERE ${ownsIdentifier}
         ON CONFLICT DO NOTHING`,
      )
      .bind(
        claim.paymentId,
        claim.txid,
        claim.network,
        claim.payer,
        claim.nonce.toString(),
        claim.route,
        claim.token,
        claim.asset,
        claim.amount.toString(),
        claim.price.toString(),
        claim.payTo,
        claim.order,
        claim.network,
        claim.payer,
        claim.delivery,
        claim.requestHash,
        now,
        now,
        claim.originTxid ?? null,
        ...identifierArgs,
      ),
    db.prepare(RECORD_EVENT).bind(claim.paymentId, 'queued', null, now),
    db
      .prepare(
        'SELECT payment_id, reason, flagged_at FROM payer_flags WHERE network = ? AND payer = ?',
      )
      .bind(claim.network, claim.payer),
  );
  if (identifier) {
    statements.push(
      db
        .prepare(
          'SELECT request_hash, payment_id FROM payment_identifiers WHERE network = ? AND payer = ? AND id = ?',
        )
        .bind(identifier.network, identifier.payer, identifier.id),
    );
  }
  const results = await db.batch(statements);
  const offset = identifier ? 1 : 0;
  const flagRow = results[offset + 2]?.results[0] as
    | { payment_id: string; reason: string; flagged_at: number }
    | undefined;
  const identifierRow = identifier
    ? (results[offset + 3]?.results[0] as { request_hash: string; payment_id: string } | undefined)
    : undefined;
  return {
    claimed: results[offset]?.meta.changes === 1,
    flag: flagRow
      ? { paymentId: flagRow.payment_id, reason: flagRow.reason, flaggedAt: flagRow.flagged_at }
      : null,
    ...(identifierRow
      ? {
          identifier: {
            requestHash: identifierRow.request_hash,
            paymentId: identifierRow.payment_id,
          },
        }
      : {}),
  };
}

/** The active claim holding this txid or this payer nonce, if any. */
export async function findActiveClaim(
  db: D1Database,
  claim: Pick<PaymentClaim, 'txid' | 'network' | 'payer' | 'nonce'>,
): Promise<LedgerRow | null> {
  return db
    .prepare(
      `SELECT * FROM payments WHERE claim_active = 1 AND (txid = ? OR (network = ? AND payer = ? AND nonce = ?))
       ORDER BY txid = ? DESC LIMIT 1`,
    )
    .bind(claim.txid, claim.network, claim.payer, claim.nonce.toString(), claim.txid)
    .first<LedgerRow>();
}

export interface TransitionFields {
  reason?: string;
  blockHeight?: number;
  settledAt?: number;
  confirmedAt?: number;
  /** Set false when the transaction can never be charged, freeing its txid and nonce. */
  claimActive?: boolean;
  /** The content goes to the caller with this move (saves a second write on the fast path). */
  deliveredAt?: number;
  /** This request takes the one right to run the upfront handler with this move. */
  served?: boolean;
  /** The caller is answered 202 with this move: a retry with the same payment may collect. */
  collectable?: boolean;
  /** The delivery mode decided for this payment, when it differs from the one claimed. */
  delivery?: DeliveryMode;
  /** Statuses the payment went through on the way, recorded in its history before `to`. */
  passedThrough?: PaymentStatus[];
  passedThroughAt?: number;
}

/** Moves a payment to `to` if the lifecycle allows it from its current status; true if it moved. */
export async function transition(
  db: D1Database,
  paymentId: string,
  to: PaymentStatus,
  fields: TransitionFields = {},
  now = Date.now(),
): Promise<boolean> {
  const statements = transitionStatements(db, paymentId, to, fields, now);
  if (statements.length === 0) return false;
  const [update] = await db.batch(statements);
  return update?.meta.changes === 1;
}

/**
 * The statements of one move (the update, then its history event, written only if the update
 * changed the row), to run alone or inside a larger batch. Empty when nothing may move to `to`.
 */
export function transitionStatements(
  db: D1Database,
  paymentId: string,
  to: PaymentStatus,
  fields: TransitionFields = {},
  now = Date.now(),
): D1PreparedStatement[] {
  const from = PREDECESSORS[to];
  if (from.length === 0) return [];
  return [
    db
      .prepare(
        `UPDATE payments SET status = ?, updated_at = ?,
           terminal_reason = COALESCE(?, terminal_reason), block_height = COALESCE(?, block_height),
           settled_at = COALESCE(?, settled_at), confirmed_at = COALESCE(?, confirmed_at),
           claim_active = COALESCE(?, claim_active), delivered_at = COALESCE(delivered_at, ?),
           served = COALESCE(?, served), collectable = COALESCE(?, collectable),
           delivery = COALESCE(?, delivery)
         WHERE payment_id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      )
      .bind(
        to,
        now,
        fields.reason ?? null,
        fields.blockHeight ?? null,
        fields.settledAt ?? null,
        fields.confirmedAt ?? null,
        fields.claimActive === undefined ? null : Number(fields.claimActive),
        fields.deliveredAt ?? null,
        fields.served ? 1 : null,
        fields.collectable ? 1 : null,
        fields.delivery ?? null,
        paymentId,
        ...from,
      ),
    ...(fields.passedThrough ?? []).map((status) =>
      db.prepare(RECORD_EVENT).bind(paymentId, status, null, fields.passedThroughAt ?? now),
    ),
    db.prepare(RECORD_EVENT).bind(paymentId, to, fields.reason ?? null, now),
  ];
}

/**
 * The one move out of a terminal status: a payment failed for waiting behind a nonce gap that is
 * mined after all (its payer filled the gap). The chain has the money, so the ledger says so; the
 * payer's mark stays (it was earned while the payment looked lost).
 */
export async function recordLateConfirmation(
  db: D1Database,
  paymentId: string,
  blockHeight: number,
  now = Date.now(),
): Promise<boolean> {
  const [update] = await db.batch([
    db
      .prepare(
        `UPDATE payments SET status = 'confirmed', block_height = ?, confirmed_at = ?, claim_active = 1,
           updated_at = ? WHERE payment_id = ? AND status = 'failed'`,
      )
      .bind(blockHeight, now, now, paymentId),
    db
      .prepare(RECORD_EVENT)
      .bind(paymentId, 'confirmed', 'mined after all, once the payer filled its nonce gap', now),
  ]);
  return update?.meta.changes === 1;
}

/**
 * The other move out of `failed`: a payment failed behind a nonce gap whose transaction the chain
 * then drops as replaced (its payer spent the nonce on another one). The ledger says what the
 * chain says; nothing was charged either way, and the payer's mark stays.
 */
export async function recordLateReplacement(
  db: D1Database,
  paymentId: string,
  chainStatus: string,
  now = Date.now(),
): Promise<boolean> {
  const [update] = await db.batch([
    db
      .prepare(
        `UPDATE payments SET status = 'replaced', updated_at = ? WHERE payment_id = ? AND status = 'failed'`,
      )
      .bind(now, paymentId),
    db
      .prepare(RECORD_EVENT)
      .bind(paymentId, 'replaced', `${chainStatus} after failing behind its nonce gap`, now),
  ]);
  return update?.meta.changes === 1;
}

/**
 * Frees a payment's txid and payer nonce once it can no longer be charged (a lost or unseen
 * transaction whose nonce the chain has not spent), so its payer can pay again.
 */
export async function releaseLostClaim(db: D1Database, paymentId: string): Promise<void> {
  await db
    .prepare(
      `UPDATE payments SET claim_active = 0 WHERE payment_id = ? AND status IN ('failed', 'replaced', 'not_found')`,
    )
    .bind(paymentId)
    .run();
}

/**
 * Releases a claim when nothing was charged and nothing broadcast, so the payer nonce is usable
 * again. Only the request holding the claim may: `claimedAt` is the `updated_at` it claimed (or
 * took the payment over) at, so a request outlived by a takeover (stale-queued.ts) deletes nothing.
 */
export function releaseClaimStatements(
  db: D1Database,
  paymentId: string,
  claimedAt: number,
): D1PreparedStatement[] {
  return [
    db
      .prepare(`DELETE FROM payments WHERE payment_id = ? AND status = 'queued' AND updated_at = ?`)
      .bind(paymentId, claimedAt),
    db.prepare('DELETE FROM payment_events WHERE payment_id = ? AND changes() = 1').bind(paymentId),
  ];
}

/**
 * Takes over a payment still `queued` since `seenUpdatedAt` (its claiming request died before the
 * broadcast): one conditional UPDATE, so of concurrent retries exactly one moves `updated_at` to
 * `now` and holds the claim from then on; its history records why. True for that one.
 */
export async function takeOverQueued(
  db: D1Database,
  paymentId: string,
  seenUpdatedAt: number,
  reason: string,
  now = Date.now(),
): Promise<boolean> {
  const [update] = await db.batch([
    db
      .prepare(
        `UPDATE payments SET updated_at = ? WHERE payment_id = ? AND status = 'queued' AND updated_at = ?`,
      )
      .bind(now, paymentId, seenUpdatedAt),
    db.prepare(RECORD_EVENT).bind(paymentId, 'queued', reason, now),
  ]);
  return update?.meta.changes === 1;
}

/** Marks the content delivered; false if it was delivered before (a replay). */
export async function markDelivered(
  db: D1Database,
  paymentId: string,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .prepare(
      'UPDATE payments SET delivered_at = ?, updated_at = ? WHERE payment_id = ? AND delivered_at IS NULL',
    )
    .bind(now, now, paymentId)
    .run();
  return result.meta.changes === 1;
}

/**
 * Records a settled payment as owed to its payer: the work it paid for failed after settlement
 * (an upfront answer that streamed, then broke off). Kept for a batch with what explains it.
 */
export function recordOwedStatement(
  db: D1Database,
  paymentId: string,
  amount: bigint,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare('UPDATE payments SET owed_amount = ?, updated_at = ? WHERE payment_id = ?')
    .bind(amount.toString(), now, paymentId);
}

/**
 * Records a delivered answer that will not be paid for through our own fault (a sponsored
 * transaction stuck behind a gap in our sponsor's nonces): the operator's loss, in the payment's
 * token, and not the payer's doing (the payer is not marked).
 */
export async function recordOperatorLoss(
  db: D1Database,
  paymentId: string,
  amount: bigint,
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      'UPDATE payments SET operator_loss = ?, updated_at = ? WHERE payment_id = ? AND delivered_at IS NOT NULL',
    )
    .bind(amount.toString(), now, paymentId)
    .run();
}

/** Marks that the caller was answered 202: a retry with the same payment may collect the result. */
export async function markCollectable(db: D1Database, paymentId: string): Promise<void> {
  await db
    .prepare('UPDATE payments SET collectable = 1 WHERE payment_id = ?')
    .bind(paymentId)
    .run();
}

/** Takes the one right to run the handler for a payment; false if it was taken before. */
export async function markServed(db: D1Database, paymentId: string): Promise<boolean> {
  const result = await db
    .prepare('UPDATE payments SET served = 1 WHERE payment_id = ? AND served = 0')
    .bind(paymentId)
    .run();
  return result.meta.changes === 1;
}

export async function getPayment(db: D1Database, paymentId: string): Promise<LedgerRow | null> {
  return db
    .prepare('SELECT * FROM payments WHERE payment_id = ?')
    .bind(paymentId)
    .first<LedgerRow>();
}

/** A payment's history, oldest first (rows are `LedgerEvent`s), for a batch with other reads. */
export function historyStatement(db: D1Database, paymentId: string): D1PreparedStatement {
  return db
    .prepare('SELECT status, reason, at FROM payment_events WHERE payment_id = ? ORDER BY id')
    .bind(paymentId);
}

export async function getHistory(db: D1Database, paymentId: string): Promise<LedgerEvent[]> {
  const { results } = await historyStatement(db, paymentId).all<LedgerEvent>();
  return results;
}
