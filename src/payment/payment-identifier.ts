/**
 * The x402 `payment-identifier` extension: idempotent retries. One logical request per
 * (network, payer, id). The same id with the same request returns the stored answer and charges
 * nothing new; with a different request it is a 409. The id is taken by one INSERT that names the
 * payment it opens (see `openPayment` in ledger.ts), so concurrent retries cannot both go on to
 * settle.
 */
export const PAYMENT_IDENTIFIER = /^[A-Za-z0-9_-]{16,128}$/;

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

/** Frees the id when nothing was charged, so the caller can retry it with a fixed payment. */
export async function releaseIdentifier(db: D1Database, key: IdentifierKey): Promise<void> {
  await releaseIdentifierStatement(db, key).run();
}

export function releaseIdentifierStatement(
  db: D1Database,
  key: IdentifierKey,
): D1PreparedStatement {
  return db
    .prepare('DELETE FROM payment_identifiers WHERE network = ? AND payer = ? AND id = ?')
    .bind(key.network, key.payer, key.id);
}
