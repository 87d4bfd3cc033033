/**
 * Scans of what the payer writes (KV values, pastes, memory texts) by Llama Guard, in the payer's
 * Durable Object: one row per piece of content (`kind` + `id`), holding the verdict of its latest
 * write.
 *
 * A scan runs after the write has been answered (routes/storage/scans.ts): `beginScans` marks it
 * `pending` with a fresh token, `finishScans` records the verdict only if the token is still the
 * row's, so the verdict of an older write never overwrites a newer one. A scan still pending
 * after `SCAN_PENDING_TIMEOUT_MS` (the Worker stopped before it finished) reads as `error`.
 *
 * A scan lives as long as its content: a KV value or paste while its `_x402_kv_usage` row is live
 * (`content_key`), a memory item while its `_x402_memory` row exists. Reading the scan of content
 * that is gone deletes it, and every `beginScans` deletes the scans of content gone meanwhile.
 */
import { hasKv } from './quota';

export const SCAN_KINDS = ['kv', 'paste', 'memory'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

export type ScanStatus = 'pending' | 'safe' | 'flagged' | 'error';

/** A scan that has not finished by then never will (the Worker's `waitUntil` has ended). */
export const SCAN_PENDING_TIMEOUT_MS = 5 * 60_000;

export function createScanTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS _x402_scans (
    kind TEXT NOT NULL CHECK (kind IN ('kv', 'paste', 'memory')),
    id TEXT NOT NULL,
    content_key TEXT,
    scan TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'safe', 'flagged', 'error')),
    flags TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    started_at INTEGER NOT NULL,
    scanned_at INTEGER,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID`);
}

export interface ScanStart {
  kind: ScanKind;
  /** The caller's name of the content: a KV key, a paste id, a memory item id. */
  id: string;
  /** The stored KV key (`_x402_kv_usage.key`) of a KV value or paste; null for a memory item. */
  contentKey: string | null;
  /** A fresh token for this scan. */
  scan: string;
}

export interface ScanVerdict {
  kind: ScanKind;
  id: string;
  scan: string;
  status: Exclude<ScanStatus, 'pending'>;
  flags: string[];
  reason: string;
  /** Unix milliseconds. */
  scannedAt: number;
}

export interface ScanRecord {
  kind: ScanKind;
  id: string;
  status: ScanStatus;
  flags: string[];
  reason: string | null;
  /** Unix milliseconds; null while pending. */
  scannedAt: number | null;
}

/** Deletes the scans whose content is gone (deleted, expired, cleared). */
export function sweepOrphanScans(sql: SqlStorage, now: number): void {
  sql.exec(
    `DELETE FROM _x402_scans WHERE
       (content_key IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM _x402_kv_usage AS u
         WHERE u.key = _x402_scans.content_key AND (u.expires_at IS NULL OR u.expires_at > ?1)))
       OR (kind = 'memory' AND NOT EXISTS (
         SELECT 1 FROM _x402_memory AS m WHERE m.id = _x402_scans.id))`,
    now,
  );
}

/** Marks these scans pending (replacing an earlier verdict of the same content). */
export function beginScans(sql: SqlStorage, scans: readonly ScanStart[], now: number): void {
  sweepOrphanScans(sql, now);
  for (const { kind, id, contentKey, scan } of scans) {
    sql.exec(
      `INSERT OR REPLACE INTO _x402_scans (kind, id, content_key, scan, status, started_at)
       VALUES (?, ?, ?, ?, 'pending', ?)`,
      kind,
      id,
      contentKey,
      scan,
      now,
    );
  }
}

/** Records the verdicts whose scan is still the latest of its content (others are dropped). */
export function finishScans(sql: SqlStorage, verdicts: readonly ScanVerdict[]): void {
  for (const verdict of verdicts) {
    sql.exec(
      `UPDATE _x402_scans SET status = ?, flags = ?, reason = ?, scanned_at = ?
       WHERE kind = ? AND id = ? AND scan = ?`,
      verdict.status,
      JSON.stringify(verdict.flags),
      verdict.reason,
      verdict.scannedAt,
      verdict.kind,
      verdict.id,
      verdict.scan,
    );
  }
}

type ScanRow = {
  content_key: string | null;
  status: ScanStatus;
  flags: string;
  reason: string | null;
  started_at: number;
  scanned_at: number | null;
};

/** The scan of live content, or null (a scan of content that is gone is deleted). */
export function readScan(
  sql: SqlStorage,
  kind: ScanKind,
  id: string,
  now: number,
): ScanRecord | null {
  const row = sql
    .exec<ScanRow>(
      'SELECT content_key, status, flags, reason, started_at, scanned_at FROM _x402_scans WHERE kind = ? AND id = ?',
      kind,
      id,
    )
    .toArray()[0];
  if (!row) return null;
  const live =
    row.content_key !== null
      ? hasKv(sql, now, row.content_key)
      : sql.exec('SELECT 1 FROM _x402_memory WHERE id = ?', id).toArray().length > 0;
  if (!live) {
    forgetScans(sql, kind, [id]);
    return null;
  }
  if (row.status === 'pending' && row.started_at + SCAN_PENDING_TIMEOUT_MS <= now) {
    return {
      kind,
      id,
      status: 'error',
      flags: [],
      reason: 'The scan did not finish; write the content again to scan it again.',
      scannedAt: null,
    };
  }
  return {
    kind,
    id,
    status: row.status,
    flags: JSON.parse(row.flags) as string[],
    reason: row.reason,
    scannedAt: row.scanned_at,
  };
}

/** Deletes the scans of these ids of `kind`, or of every id of `kind` when `ids` is null. */
export function forgetScans(sql: SqlStorage, kind: ScanKind, ids: readonly string[] | null): void {
  if (ids === null) sql.exec('DELETE FROM _x402_scans WHERE kind = ?', kind);
  else {
    sql.exec(
      'DELETE FROM _x402_scans WHERE kind = ? AND id IN (SELECT value FROM json_each(?))',
      kind,
      JSON.stringify(ids),
    );
  }
}
