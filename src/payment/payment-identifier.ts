/**
 * The x402 `payment-identifier` extension: idempotent retries. One logical request per
 * (network, payer, id). The same id with the same request returns the stored answer and charges
 * nothing new; with a different request it is a 409. The reservation is one INSERT, so concurrent
 * retries cannot both go on to settle.
 */
export const PAYMENT_IDENTIFIER = /^[A-Za-z0-9_-]{16,128}$/;
/** A reservation whose request died before it was linked to a payment may be taken over after this. */
const STALE_RESERVATION_MS = 60_000;

export type IdentifierRead =
  | { type: 'absent' }
  | { type: 'present'; id: string }
  | { type: 'invalid'; detail: string };

/** Reads `extensions["payment-identifier"].info.id` (with or without `info.required`). */
export function readPaymentIdentifier(extensions: unknown): IdentifierRead {
  if (extensions === undefined || extensions === null) return { type: 'absent' };
  if (typeof extensions !== 'object')
    return { type: 'invalid', detail: '`extensions` must be an object' };
  const extension = (extensions as Record<string, unknown>)['payment-identifier'];
  if (extension === undefined) return { type: 'absent' };
  const info = (extension as { info?: unknown } | null)?.info as { id?: unknown } | undefined;
  const id = info?.id;
  if (typeof id !== 'string' || !PAYMENT_IDENTIFIER.test(id)) {
    return {
      type: 'invalid',
      detail: 'extensions["payment-identifier"].info.id must be 16 to 128 of A-Z a-z 0-9 _ -',
    };
  }
  return { type: 'present', id };
}

export interface IdentifierKey {
  network: string;
  payer: string;
  id: string;
}

export type Reservation =
  | { type: 'reserved' }
  | { type: 'conflict' }
  | { type: 'in_progress' }
  | { type: 'existing'; paymentId: string };

export async function reserveIdentifier(
  db: D1Database,
  key: IdentifierKey,
  requestHash: string,
  now = Date.now(),
): Promise<Reservation> {
  const inserted = await db
    .prepare(
      `INSERT INTO payment_identifiers (network, payer, id, request_hash, payment_id, created_at)
       VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(key.network, key.payer, key.id, requestHash, now)
    .run();
  if (inserted.meta.changes === 1) return { type: 'reserved' };
  const row = await db
    .prepare(
      'SELECT request_hash, payment_id, created_at FROM payment_identifiers WHERE network = ? AND payer = ? AND id = ?',
    )
    .bind(key.network, key.payer, key.id)
    .first<{ request_hash: string; payment_id: string | null; created_at: number }>();
  if (!row) return reserveIdentifier(db, key, requestHash, now);
  if (row.request_hash !== requestHash) return { type: 'conflict' };
  if (row.payment_id) return { type: 'existing', paymentId: row.payment_id };
  if (row.created_at < now - STALE_RESERVATION_MS) {
    const taken = await db
      .prepare(
        `UPDATE payment_identifiers SET created_at = ? WHERE network = ? AND payer = ? AND id = ?
           AND payment_id IS NULL AND created_at = ?`,
      )
      .bind(now, key.network, key.payer, key.id, row.created_at)
      .run();
    if (taken.meta.changes === 1) return { type: 'reserved' };
  }
  return { type: 'in_progress' };
}

export async function linkIdentifier(
  db: D1Database,
  key: IdentifierKey,
  paymentId: string,
): Promise<void> {
  await db
    .prepare(
      'UPDATE payment_identifiers SET payment_id = ? WHERE network = ? AND payer = ? AND id = ?',
    )
    .bind(paymentId, key.network, key.payer, key.id)
    .run();
}

/** Frees the id when nothing was charged, so the caller can retry it with a fixed payment. */
export async function releaseIdentifier(db: D1Database, key: IdentifierKey): Promise<void> {
  await db
    .prepare('DELETE FROM payment_identifiers WHERE network = ? AND payer = ? AND id = ?')
    .bind(key.network, key.payer, key.id)
    .run();
}
