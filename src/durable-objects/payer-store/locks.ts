/**
 * `/storage/sync`: named locks with a secret token and a time to live, in the payer's Durable
 * Object. A lock is held while `expires_at > now`; an expired row is free (never reported as held)
 * and is deleted by the object's alarm at the earliest expiry, or overwritten by the next acquire.
 * Every function takes `now` (unix ms) so tests can move time; the routes pass `Date.now()`.
 */
import { bytesToHex } from '../../encoding/hex';
import { STORAGE_LIMITS } from '../../storage/limits';

const { maxLocksPerPayer } = STORAGE_LIMITS.sync;

export function createLockTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS _x402_locks (
    name TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID`);
  sql.exec('CREATE INDEX IF NOT EXISTS _x402_locks_expiry ON _x402_locks (expires_at)');
}

export interface LockInfo {
  name: string;
  /** Unix ms; the lock is free from this instant. */
  expiresAt: number;
}

/** Why an acquire was refused: the payer holds as many locks as it may. */
export type LockQuotaRefusal = {
  type: 'refused';
  code: 'quota_exceeded';
  name: string;
  limit: number;
};
/** Why an unlock or extend was refused: the lock is not held, or held under another token. */
export type LockTokenRefusal = {
  type: 'refused';
  code: 'lock_not_held' | 'lock_token_mismatch';
  name: string;
};

export type AcquireOutcome =
  | { type: 'acquired'; name: string; token: string; expiresAt: number }
  /** Held by someone else (or by the caller, under another token) until `expiresAt`. */
  | { type: 'busy'; name: string; expiresAt: number }
  | LockQuotaRefusal;

export type ReleaseOutcome = { type: 'released'; name: string } | LockTokenRefusal;
export type ExtendOutcome =
  | { type: 'extended'; name: string; expiresAt: number }
  | LockTokenRefusal;

interface LockRow extends Record<string, SqlStorageValue> {
  token: string;
  expires_at: number;
}

function heldLock(sql: SqlStorage, name: string, now: number): LockRow | null {
  const [row] = sql
    .exec<LockRow>(
      'SELECT token, expires_at FROM _x402_locks WHERE name = ? AND expires_at > ?',
      name,
      now,
    )
    .toArray();
  return row ?? null;
}

/** 128 random bits, as 32 hex digits: the proof of holding a lock. */
export function newLockToken(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * What would refuse an acquire (the payer's lock quota), checked before the payment is settled.
 * A lock already held is not a refusal: the answer is `busy`.
 */
export function checkAcquire(sql: SqlStorage, name: string, now: number): LockQuotaRefusal | null {
  if (heldLock(sql, name, now)) return null;
  const held = sql
    .exec<{ held: number }>('SELECT COUNT(*) AS held FROM _x402_locks WHERE expires_at > ?', now)
    .one().held;
  return held >= maxLocksPerPayer
    ? { type: 'refused', code: 'quota_exceeded', name, limit: maxLocksPerPayer }
    : null;
}

export function acquireLock(
  sql: SqlStorage,
  name: string,
  ttlSeconds: number,
  now: number,
): AcquireOutcome {
  const held = heldLock(sql, name, now);
  if (held) return { type: 'busy', name, expiresAt: held.expires_at };
  const refusal = checkAcquire(sql, name, now);
  if (refusal) return refusal;
  const token = newLockToken();
  const expiresAt = now + ttlSeconds * 1000;
  // An expired row of the same name is replaced: expiry frees the name.
  sql.exec(
    `INSERT INTO _x402_locks (name, token, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at`,
    name,
    token,
    expiresAt,
  );
  return { type: 'acquired', name, token, expiresAt };
}

/** What would refuse an unlock or extend: the lock is not held, or held under another token. */
export function checkLockToken(
  sql: SqlStorage,
  name: string,
  token: string,
  now: number,
): LockTokenRefusal | null {
  const held = heldLock(sql, name, now);
  if (!held) return { type: 'refused', code: 'lock_not_held', name };
  if (held.token !== token) return { type: 'refused', code: 'lock_token_mismatch', name };
  return null;
}

export function releaseLock(
  sql: SqlStorage,
  name: string,
  token: string,
  now: number,
): ReleaseOutcome {
  const refusal = checkLockToken(sql, name, token, now);
  if (refusal) return refusal;
  sql.exec('DELETE FROM _x402_locks WHERE name = ?', name);
  return { type: 'released', name };
}

/** Holds the lock for `ttlSeconds` from now (not added to what was left). */
export function extendLock(
  sql: SqlStorage,
  name: string,
  token: string,
  ttlSeconds: number,
  now: number,
): ExtendOutcome {
  const refusal = checkLockToken(sql, name, token, now);
  if (refusal) return refusal;
  const expiresAt = now + ttlSeconds * 1000;
  sql.exec('UPDATE _x402_locks SET expires_at = ? WHERE name = ?', expiresAt, name);
  return { type: 'extended', name, expiresAt };
}

/** Whether `name` is held and until when; never the token. */
export function lockStatus(
  sql: SqlStorage,
  name: string,
  now: number,
): { name: string; held: boolean; expiresAt: number | null } {
  const held = heldLock(sql, name, now);
  return { name, held: held !== null, expiresAt: held?.expires_at ?? null };
}

/** Every lock held now, by name. */
export function listLocks(sql: SqlStorage, now: number): LockInfo[] {
  return sql
    .exec<{ name: string; expires_at: number }>(
      'SELECT name, expires_at FROM _x402_locks WHERE expires_at > ? ORDER BY name',
      now,
    )
    .toArray()
    .map((row) => ({ name: row.name, expiresAt: row.expires_at }));
}

/** Deletes expired locks; returns the next expiry (unix ms), or null when no lock is held. */
export function sweepLocks(sql: SqlStorage, now: number): number | null {
  sql.exec('DELETE FROM _x402_locks WHERE expires_at <= ?', now);
  return sql.exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM _x402_locks').one()
    .next;
}
