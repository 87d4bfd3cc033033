/**
 * Payers whose delivered payment later ended `failed` or `replaced` (DESIGN section 5): from then
 * on they are served only on confirmed payments.
 */
export interface PayerFlag {
  paymentId: string;
  reason: string;
  flaggedAt: number;
}

export async function flagPayer(
  db: D1Database,
  flag: { network: string; payer: string; paymentId: string; reason: string },
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO payer_flags (network, payer, payment_id, reason, flagged_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (network, payer) DO NOTHING`,
    )
    .bind(flag.network, flag.payer, flag.paymentId, flag.reason, now)
    .run();
}

export async function getPayerFlag(
  db: D1Database,
  network: string,
  payer: string,
): Promise<PayerFlag | null> {
  const row = await db
    .prepare(
      'SELECT payment_id, reason, flagged_at FROM payer_flags WHERE network = ? AND payer = ?',
    )
    .bind(network, payer)
    .first<{ payment_id: string; reason: string; flagged_at: number }>();
  return row ? { paymentId: row.payment_id, reason: row.reason, flaggedAt: row.flagged_at } : null;
}
