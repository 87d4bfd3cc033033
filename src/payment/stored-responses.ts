/**
 * The answer a payment bought, kept in D1 so a retry collects it (after a 202, or an idempotent
 * retry with the same payment-identifier) without a second charge or a second run of the handler.
 */
export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Reads a handler's answer into the form it is stored in. */
export async function readForStorage(response: Response): Promise<StoredResponse> {
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? 'application/json; charset=utf-8',
    body: await response.text(),
  };
}

/** The statement that keeps a payment's answer (the first one kept wins), for a batch. */
export function storeResponseStatement(
  db: D1Database,
  paymentId: string,
  stored: StoredResponse,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO payment_responses (payment_id, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (payment_id) DO NOTHING`,
    )
    .bind(paymentId, stored.status, stored.contentType, stored.body, now);
}

export async function loadResponse(
  db: D1Database,
  paymentId: string,
): Promise<StoredResponse | null> {
  const row = await db
    .prepare('SELECT status, content_type, body FROM payment_responses WHERE payment_id = ?')
    .bind(paymentId)
    .first<{ status: number; content_type: string; body: string }>();
  return row ? { status: row.status, contentType: row.content_type, body: row.body } : null;
}

export function toResponse(stored: StoredResponse): Response {
  return new Response(stored.body, {
    status: stored.status,
    headers: { 'content-type': stored.contentType },
  });
}
