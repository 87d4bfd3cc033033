/**
 * `/storage/queue`: named work queues with priorities, delays, visibility timeouts and acks, in
 * the payer's Durable Object.
 *
 * An item is `pending` (visible from `visible_at`: its delay), `in_flight` (popped; `visible_at` is
 * its visibility deadline) or `dead`. Each pop counts an attempt. An in-flight item whose deadline
 * passes, or that is nacked, goes back to `pending`, or to `dead` once it has had `maxAttempts`
 * attempts. An acked item is deleted and counted in its queue's `done`. Deadlines are applied
 * lazily at the start of every operation, and by the object's alarm at the earliest deadline.
 * Every function takes `now` (unix ms) so tests can move time; the routes pass `Date.now()`.
 */
import { bytesToHex } from '../../encoding/hex';
import { STORAGE_LIMITS } from '../../storage/limits';

const { maxAttempts, maxQueuesPerPayer, maxItemsPerPayer } = STORAGE_LIMITS.queue;

export function createQueueTables(sql: SqlStorage): void {
  // A queue exists from its first push until it is cleared; `done` counts its acked items.
  sql.exec(`CREATE TABLE IF NOT EXISTS _x402_queues (
    name TEXT PRIMARY KEY,
    done INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID`);
  // `seq` (the rowid, always above every row present) is the FIFO order within a priority.
  sql.exec(`CREATE TABLE IF NOT EXISTS _x402_queue_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    data TEXT NOT NULL,
    priority INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'dead')),
    visible_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  )`);
  sql.exec(
    'CREATE INDEX IF NOT EXISTS _x402_queue_items_next ON _x402_queue_items (queue, state, priority DESC, seq)',
  );
  sql.exec(
    'CREATE INDEX IF NOT EXISTS _x402_queue_items_deadline ON _x402_queue_items (state, visible_at)',
  );
}

export interface QueueItem {
  id: string;
  /** The item as JSON text. */
  data: string;
  attempts: number;
  priority: number;
}

export interface QueueCounts {
  queue: string;
  /** Waiting to be popped, including delayed items not yet due. */
  pending: number;
  inFlight: number;
  /** Acknowledged since the queue was created (the items themselves are deleted). */
  done: number;
  dead: number;
}

export type QueueRefusal = {
  type: 'refused';
  code: 'quota_exceeded';
  quota: 'queues' | 'items';
  limit: number;
  used: number;
};

export type PushOutcome = { type: 'pushed'; queue: string; ids: string[]; pending: number };

export interface PushRequest {
  queue: string;
  /** Each item as JSON text (its size checked by the route). */
  items: string[];
  priority: number;
  delaySeconds: number;
}

const count = (sql: SqlStorage, query: string, ...bindings: unknown[]): number =>
  sql.exec<{ n: number }>(query, ...bindings).one().n;

function newItemId(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** In-flight items past their visibility deadline go back to pending, or die when out of attempts. */
export function releaseTimedOut(sql: SqlStorage, now: number): void {
  sql.exec(
    `UPDATE _x402_queue_items SET state = CASE WHEN attempts >= ? THEN 'dead' ELSE 'pending' END
     WHERE state = 'in_flight' AND visible_at <= ?`,
    maxAttempts,
    now,
  );
}

/** What would refuse a push of `itemCount` items: the payer's queue or item quota. */
export function checkPush(sql: SqlStorage, queue: string, itemCount: number): QueueRefusal | null {
  const exists = count(sql, 'SELECT COUNT(*) AS n FROM _x402_queues WHERE name = ?', queue) > 0;
  if (!exists) {
    const queues = count(sql, 'SELECT COUNT(*) AS n FROM _x402_queues');
    if (queues >= maxQueuesPerPayer) {
      return {
        type: 'refused',
        code: 'quota_exceeded',
        quota: 'queues',
        limit: maxQueuesPerPayer,
        used: queues,
      };
    }
  }
  const stored = count(sql, 'SELECT COUNT(*) AS n FROM _x402_queue_items');
  if (stored + itemCount > maxItemsPerPayer) {
    return {
      type: 'refused',
      code: 'quota_exceeded',
      quota: 'items',
      limit: maxItemsPerPayer,
      used: stored,
    };
  }
  return null;
}

function pendingIn(sql: SqlStorage, queue: string): number {
  return count(
    sql,
    `SELECT COUNT(*) AS n FROM _x402_queue_items WHERE queue = ? AND state = 'pending'`,
    queue,
  );
}

export function pushItems(
  sql: SqlStorage,
  request: PushRequest,
  now: number,
): PushOutcome | QueueRefusal {
  releaseTimedOut(sql, now);
  const refusal = checkPush(sql, request.queue, request.items.length);
  if (refusal) return refusal;
  sql.exec(
    'INSERT INTO _x402_queues (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    request.queue,
    now,
  );
  const visibleAt = now + request.delaySeconds * 1000;
  const ids = request.items.map((data) => {
    const id = newItemId();
    sql.exec(
      `INSERT INTO _x402_queue_items (id, queue, data, priority, state, visible_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      id,
      request.queue,
      data,
      request.priority,
      visibleAt,
      now,
    );
    return id;
  });
  return { type: 'pushed', queue: request.queue, ids, pending: pendingIn(sql, request.queue) };
}

interface ItemRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  data: string;
  priority: number;
  attempts: number;
}

/** The next due pending items in pop order: highest priority first, then first pushed. */
function nextDue(sql: SqlStorage, queue: string, limit: number, now: number): ItemRow[] {
  return sql
    .exec<ItemRow>(
      `SELECT seq, id, data, priority, attempts FROM _x402_queue_items
       WHERE queue = ? AND state = 'pending' AND visible_at <= ?
       ORDER BY priority DESC, seq LIMIT ?`,
      queue,
      now,
      limit,
    )
    .toArray();
}

const toItem = (row: ItemRow): QueueItem => ({
  id: row.id,
  data: row.data,
  attempts: row.attempts,
  priority: row.priority,
});

/** Takes up to `limit` due items: each is in flight until `now + visibilityTimeoutSeconds`. */
export function popItems(
  sql: SqlStorage,
  queue: string,
  limit: number,
  visibilityTimeoutSeconds: number,
  now: number,
): { items: QueueItem[]; deadline: number } {
  releaseTimedOut(sql, now);
  const deadline = now + visibilityTimeoutSeconds * 1000;
  const items = nextDue(sql, queue, limit, now).map((row) => {
    sql.exec(
      `UPDATE _x402_queue_items SET state = 'in_flight', attempts = attempts + 1, visible_at = ?
       WHERE seq = ?`,
      deadline,
      row.seq,
    );
    return toItem({ ...row, attempts: row.attempts + 1 });
  });
  return { items, deadline };
}

/** The items a pop would take now, unchanged. */
export function peekItems(sql: SqlStorage, queue: string, limit: number, now: number): QueueItem[] {
  releaseTimedOut(sql, now);
  return nextDue(sql, queue, limit, now).map(toItem);
}

/** Each id names an item of `queue` in flight now; others (unknown, timed out, dead) are skipped. */
function takeInFlight(
  sql: SqlStorage,
  queue: string,
  ids: readonly string[],
): { seq: number; attempts: number }[] {
  return [...new Set(ids)].flatMap((id) =>
    sql
      .exec<{ seq: number; attempts: number }>(
        `SELECT seq, attempts FROM _x402_queue_items WHERE queue = ? AND id = ? AND state = 'in_flight'`,
        queue,
        id,
      )
      .toArray(),
  );
}

/** Acknowledges in-flight items: deleted, and counted as done. */
export function ackItems(sql: SqlStorage, queue: string, ids: readonly string[], now: number) {
  releaseTimedOut(sql, now);
  const acked = takeInFlight(sql, queue, ids);
  for (const { seq } of acked) sql.exec('DELETE FROM _x402_queue_items WHERE seq = ?', seq);
  if (acked.length > 0) {
    sql.exec('UPDATE _x402_queues SET done = done + ? WHERE name = ?', acked.length, queue);
  }
  return { acked: acked.length };
}

/** Gives in-flight items back: pending (visible after `delaySeconds`), or dead when out of attempts. */
export function nackItems(
  sql: SqlStorage,
  queue: string,
  ids: readonly string[],
  delaySeconds: number,
  now: number,
): { nacked: number; dead: number } {
  releaseTimedOut(sql, now);
  let nacked = 0;
  let dead = 0;
  for (const { seq, attempts } of takeInFlight(sql, queue, ids)) {
    if (attempts >= maxAttempts) {
      sql.exec(`UPDATE _x402_queue_items SET state = 'dead' WHERE seq = ?`, seq);
      dead += 1;
    } else {
      sql.exec(
        `UPDATE _x402_queue_items SET state = 'pending', visible_at = ? WHERE seq = ?`,
        now + delaySeconds * 1000,
        seq,
      );
      nacked += 1;
    }
  }
  return { nacked, dead };
}

export function queueStatus(sql: SqlStorage, queue: string, now: number): QueueCounts {
  releaseTimedOut(sql, now);
  const counts: QueueCounts = { queue, pending: 0, inFlight: 0, done: 0, dead: 0 };
  const rows = sql
    .exec<{ state: string; n: number }>(
      'SELECT state, COUNT(*) AS n FROM _x402_queue_items WHERE queue = ? GROUP BY state',
      queue,
    )
    .toArray();
  for (const { state, n } of rows) {
    if (state === 'pending') counts.pending = n;
    else if (state === 'in_flight') counts.inFlight = n;
    else if (state === 'dead') counts.dead = n;
  }
  const [done] = sql
    .exec<{ done: number }>('SELECT done FROM _x402_queues WHERE name = ?', queue)
    .toArray();
  counts.done = done?.done ?? 0;
  return counts;
}

/** Deletes the queue: its items in every state and its done count. Returns the items deleted. */
export function clearQueue(sql: SqlStorage, queue: string): { cleared: number } {
  const cleared = count(sql, 'SELECT COUNT(*) AS n FROM _x402_queue_items WHERE queue = ?', queue);
  sql.exec('DELETE FROM _x402_queue_items WHERE queue = ?', queue);
  sql.exec('DELETE FROM _x402_queues WHERE name = ?', queue);
  return { cleared };
}

/** Applies the deadlines due; returns the next one (unix ms), or null when nothing is in flight. */
export function sweepQueues(sql: SqlStorage, now: number): number | null {
  releaseTimedOut(sql, now);
  return sql
    .exec<{ next: number | null }>(
      `SELECT MIN(visible_at) AS next FROM _x402_queue_items WHERE state = 'in_flight'`,
    )
    .one().next;
}
