/**
 * The D1 payment ledger and its single-use claims (DESIGN section 4 item 8). The claim is one
 * INSERT guarded by two UNIQUE keys (txid; network+payer+nonce): SQLite applies it atomically, so
 * of two concurrent requests carrying one payment exactly one gets the row.
 */
/** claimed: verified and held while the handler runs or settlement is in flight. */
export type LedgerStatus = 'claimed' | 'mempool' | 'settle_unknown';

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
  status: LedgerStatus;
  error_code: string | null;
  owed_amount: string | null;
  created_at: number;
  updated_at: number;
  settled_at: number | null;
}

export function newPaymentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `pay_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Claims a payment; false when its txid or its (network, payer, nonce) was claimed before. */
export async function claimPayment(
  db: D1Database,
  claim: PaymentClaim,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO payments (payment_id, txid, network, payer, nonce, route, token, asset, amount, price,
         pay_to, settle_order, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed', ?, ?)
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
      now,
      now,
    )
    .run();
  return result.meta.changes === 1;
}

/** Releases a claim when nothing was charged, so the payer's nonce is usable again. */
export async function releaseClaim(db: D1Database, paymentId: string): Promise<void> {
  await db
    .prepare(`DELETE FROM payments WHERE payment_id = ? AND status = 'claimed'`)
    .bind(paymentId)
    .run();
}

export async function setPaymentStatus(
  db: D1Database,
  paymentId: string,
  status: LedgerStatus,
  fields: { errorCode?: string; settledAt?: number; owedAmount?: bigint } = {},
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      `UPDATE payments SET status = ?, updated_at = ?,
         error_code = COALESCE(?, error_code), settled_at = COALESCE(?, settled_at),
         owed_amount = COALESCE(?, owed_amount)
       WHERE payment_id = ?`,
    )
    .bind(
      status,
      now,
      fields.errorCode ?? null,
      fields.settledAt ?? null,
      fields.owedAmount?.toString() ?? null,
      paymentId,
    )
    .run();
}

export async function getPayment(db: D1Database, paymentId: string): Promise<LedgerRow | null> {
  return db
    .prepare('SELECT * FROM payments WHERE payment_id = ?')
    .bind(paymentId)
    .first<LedgerRow>();
}
