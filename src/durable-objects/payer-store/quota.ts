/**
 * The payer's KV quota (entries and bytes, for `/storage/kv` and `/storage/paste`), counted in its
 * Durable Object because KV is eventually consistent: a list of KV keys can miss a write made a
 * moment ago in another location, the object's SQLite cannot.
 *
 * A write runs in two steps around its settlement (DESIGN section 5, the `upfront` order):
 * `reserveKv` in the route's precheck (before the payment is settled: a refusal charges nothing)
 * holds room for the entry, `recordKv` after the KV write turns it into usage. A reservation whose
 * settlement was refused is never recorded: it stops counting once its lease ends (and its row
 * goes with the next reservation or sweep). Expired entries are removed by the object's alarm,
 * scheduled for the earliest expiry, and never counted meanwhile.
 */
import { STORAGE_LIMITS } from '../../storage/limits';

export const KV_QUOTA_SCHEMA = `
  CREATE TABLE IF NOT EXISTS _x402_kv_usage (
    key TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS _x402_kv_usage_expiry ON _x402_kv_usage (expires_at)
    WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS _x402_kv_reservations (
    reservation TEXT PRIMARY KEY,
    key TEXT,
    bytes INTEGER NOT NULL,
    expires_at INTEGER,
    held_until INTEGER NOT NULL
  );
`;

export interface KvEntryWrite {
  /** The payment that pays for the write: one reservation per payment. */
  reservation: string;
  /** The stored KV key; null for a paste, whose id is drawn after settlement. */
  key: string | null;
  bytes: number;
  /** Unix milliseconds, or null for an entry that does not expire. */
  expiresAt: number | null;
}

export interface KvUsage {
  entries: number;
  bytes: number;
}

export type KvReservation =
  | { type: 'reserved'; heldUntil: number }
  | { type: 'refused'; quota: 'entries' | 'bytes'; usage: KvUsage; limits: KvUsage };

const LIVE_ENTRIES = `
  WITH live AS (
    SELECT key, bytes FROM _x402_kv_usage WHERE expires_at IS NULL OR expires_at > ?1
    UNION ALL
    SELECT COALESCE(key, '#' || reservation), bytes FROM _x402_kv_reservations
      WHERE held_until > ?1 AND (expires_at IS NULL OR expires_at > ?1)
  ),
  per_key AS (SELECT key, MAX(bytes) AS bytes FROM live WHERE key IS NOT ?2 GROUP BY key)
  SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes FROM per_key`;

/**
 * What the payer keeps now: live entries and live reservations, each key once (with the larger
 * of its stored and reserved sizes), leaving out `except` (the key a write replaces).
 */
export function kvUsage(sql: SqlStorage, now: number, except: string | null = null): KvUsage {
  const row = sql.exec<{ entries: number; bytes: number }>(LIVE_ENTRIES, now, except).one();
  return { entries: row.entries, bytes: row.bytes };
}

/** Holds room for a write if the payer's quota allows it once the write replaces its key. */
export function reserveKv(sql: SqlStorage, now: number, write: KvEntryWrite): KvReservation {
  // Ended reservations (their settlement was refused) go here rather than by alarm.
  sql.exec('DELETE FROM _x402_kv_reservations WHERE held_until <= ?', now);
  const limits = { entries: STORAGE_LIMITS.kvQuota.entries, bytes: STORAGE_LIMITS.kvQuota.bytes };
  const others = kvUsage(sql, now, write.key);
  const quota =
    others.entries + 1 > limits.entries
      ? 'entries'
      : others.bytes + write.bytes > limits.bytes
        ? 'bytes'
        : null;
  if (quota) return { type: 'refused', quota, usage: kvUsage(sql, now), limits };
  const heldUntil = now + STORAGE_LIMITS.kvQuota.reservationLeaseMs;
  sql.exec(
    `INSERT OR REPLACE INTO _x402_kv_reservations (reservation, key, bytes, expires_at, held_until)
     VALUES (?, ?, ?, ?, ?)`,
    write.reservation,
    write.key,
    write.bytes,
    write.expiresAt,
    heldUntil,
  );
  return { type: 'reserved', heldUntil };
}

/**
 * After the KV write: the entry is usage now (its reservation, if any, is done). Recorded even if
 * the reservation's lease ended meanwhile, since the payer has paid for the write. `created`: no
 * live entry had this key.
 */
export function recordKv(
  sql: SqlStorage,
  now: number,
  write: KvEntryWrite & { key: string },
): { created: boolean } {
  const created = !hasKv(sql, now, write.key);
  sql.exec(
    `INSERT INTO _x402_kv_usage (key, bytes, expires_at) VALUES (?1, ?2, ?3)
     ON CONFLICT (key) DO UPDATE SET bytes = ?2, expires_at = ?3`,
    write.key,
    write.bytes,
    write.expiresAt,
  );
  sql.exec('DELETE FROM _x402_kv_reservations WHERE reservation = ?', write.reservation);
  return { created };
}

/** After a KV delete: the entry no longer counts. True when it was live. */
export function releaseKv(sql: SqlStorage, now: number, key: string): boolean {
  const live = hasKv(sql, now, key);
  sql.exec('DELETE FROM _x402_kv_usage WHERE key = ?', key);
  return live;
}

/** Whether the payer holds a live (recorded, unexpired) entry under this stored key. */
export function hasKv(sql: SqlStorage, now: number, key: string): boolean {
  return (
    sql
      .exec(
        'SELECT 1 FROM _x402_kv_usage WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
        key,
        now,
      )
      .toArray().length > 0
  );
}

/** Removes expired entries and ended reservations; answers when the next entry expires (or null). */
export function sweepKv(sql: SqlStorage, now: number): number | null {
  sql.exec('DELETE FROM _x402_kv_usage WHERE expires_at <= ?', now);
  sql.exec('DELETE FROM _x402_kv_reservations WHERE held_until <= ?1 OR expires_at <= ?1', now);
  return sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM _x402_kv_usage').one()
    .at;
}
