/**
 * One SQLite Durable Object per payer (id: `idFromName("{network}:{payer}")`), DESIGN section 8:
 * the strongly consistent half of the payer's storage. Its system tables (quotas, locks, queues,
 * memory, scans) carry the `_x402_` prefix, which user SQL can never name (see sql-guard.ts); the
 * payer's own tables live beside them. Each store is a module of this folder; this class only
 * holds them together and exposes their methods over RPC.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  type AcquireOutcome,
  acquireLock,
  checkAcquire,
  checkLockToken,
  createLockTables,
  type ExtendOutcome,
  extendLock,
  type LockInfo,
  type LockQuotaRefusal,
  type LockTokenRefusal,
  listLocks,
  lockStatus,
  type ReleaseOutcome,
  releaseLock,
  sweepLocks,
} from './locks';
import {
  checkMemoryStore,
  clearMemory,
  countStoredIds,
  createMemoryTables,
  deleteMemory,
  listMemory,
  type MemoryItem,
  type MemoryMatch,
  type MemoryRefusal,
  type MemoryStoreOutcome,
  type MemoryWrite,
  searchMemory,
  storeMemory,
} from './memory';
import {
  ackItems,
  checkPush,
  clearQueue,
  createQueueTables,
  nackItems,
  type PushOutcome,
  type PushRequest,
  peekItems,
  popItems,
  pushItems,
  type QueueCounts,
  type QueueItem,
  type QueueRefusal,
  queueStatus,
  releaseTimedOut,
  sweepQueues,
} from './queues';
import {
  hasKv,
  KV_QUOTA_SCHEMA,
  type KvEntryWrite,
  type KvReservation,
  type KvUsage,
  kvUsage,
  recordKv,
  releaseKv,
  reserveKv,
  sweepKv,
} from './quota';
import {
  beginScans,
  createScanTables,
  finishScans,
  forgetScans,
  readScan,
  type ScanKind,
  type ScanRecord,
  type ScanStart,
  type ScanVerdict,
} from './scans';
import {
  describeUserTables,
  executeUserSql,
  queryUserSql,
  type UserExecuteOutcome,
  type UserExecuteRequest,
  type UserQueryRequest,
  type UserQueryRows,
  type UserSqlResult,
  type UserTable,
} from './user-sql';

export class PayerStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Each store creates its system tables here, before any request reaches the object.
    ctx.blockConcurrencyWhile(async () => {
      // (stores register their schema here)
      createLockTables(ctx.storage.sql);
      createQueueTables(ctx.storage.sql);
      ctx.storage.sql.exec(KV_QUOTA_SCHEMA);
      createMemoryTables(ctx.storage.sql);
      createScanTables(ctx.storage.sql);
    });
  }

  // --- RPC methods, one section per store -------------------------------------------------

  // --- locks (/storage/sync)
  // `now` (unix ms) is the caller's clock: the routes pass Date.now(), tests move it.

  checkLockAcquire(name: string, now: number): LockQuotaRefusal | null {
    return checkAcquire(this.ctx.storage.sql, name, now);
  }

  async acquireLock(name: string, ttlSeconds: number, now: number): Promise<AcquireOutcome> {
    const outcome = acquireLock(this.ctx.storage.sql, name, ttlSeconds, now);
    if (outcome.type === 'acquired') await this.scheduleSweep(outcome.expiresAt);
    return outcome;
  }

  checkLockToken(name: string, token: string, now: number): LockTokenRefusal | null {
    return checkLockToken(this.ctx.storage.sql, name, token, now);
  }

  releaseLock(name: string, token: string, now: number): ReleaseOutcome {
    return releaseLock(this.ctx.storage.sql, name, token, now);
  }

  async extendLock(
    name: string,
    token: string,
    ttlSeconds: number,
    now: number,
  ): Promise<ExtendOutcome> {
    const outcome = extendLock(this.ctx.storage.sql, name, token, ttlSeconds, now);
    if (outcome.type === 'extended') await this.scheduleSweep(outcome.expiresAt);
    return outcome;
  }

  lockStatus(name: string, now: number): { name: string; held: boolean; expiresAt: number | null } {
    return lockStatus(this.ctx.storage.sql, name, now);
  }

  listLocks(now: number): LockInfo[] {
    return listLocks(this.ctx.storage.sql, now);
  }

  // --- queues (/storage/queue)
  // `now` as for locks. Writes of several rows run in one transaction.

  checkQueuePush(queue: string, itemCount: number, now: number): QueueRefusal | null {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      releaseTimedOut(sql, now);
      return checkPush(sql, queue, itemCount);
    });
  }

  pushQueueItems(request: PushRequest, now: number): PushOutcome | QueueRefusal {
    return this.ctx.storage.transactionSync(() => pushItems(this.ctx.storage.sql, request, now));
  }

  async popQueueItems(
    queue: string,
    count: number,
    visibilityTimeoutSeconds: number,
    now: number,
  ): Promise<QueueItem[]> {
    const { items, deadline } = this.ctx.storage.transactionSync(() =>
      popItems(this.ctx.storage.sql, queue, count, visibilityTimeoutSeconds, now),
    );
    if (items.length > 0) await this.scheduleSweep(deadline);
    return items;
  }

  ackQueueItems(queue: string, ids: string[], now: number): { acked: number } {
    return this.ctx.storage.transactionSync(() => ackItems(this.ctx.storage.sql, queue, ids, now));
  }

  nackQueueItems(
    queue: string,
    ids: string[],
    delaySeconds: number,
    now: number,
  ): { nacked: number; dead: number } {
    return this.ctx.storage.transactionSync(() =>
      nackItems(this.ctx.storage.sql, queue, ids, delaySeconds, now),
    );
  }

  peekQueueItems(queue: string, count: number, now: number): QueueItem[] {
    return this.ctx.storage.transactionSync(() =>
      peekItems(this.ctx.storage.sql, queue, count, now),
    );
  }

  queueStatus(queue: string, now: number): QueueCounts {
    return this.ctx.storage.transactionSync(() => queueStatus(this.ctx.storage.sql, queue, now));
  }

  clearQueue(queue: string): { cleared: number } {
    return this.ctx.storage.transactionSync(() => clearQueue(this.ctx.storage.sql, queue));
  }

  // --- sweeps: one alarm for every store -------------------------------------------------

  /**
   * Sets the alarm to `at` (unix ms) unless it is already set sooner: each store calls it with a
   * new expiry, and from its sweep in alarm() with its next one. While alarm() runs, getAlarm() is
   * null until something sets it, so the sweeps there schedule the earliest of their next expiries.
   */
  async scheduleSweep(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  // --- quotas (kv, paste)

  /** Precheck of a KV write or paste (before settlement): hold room for it, or refuse. */
  reserveKv(write: KvEntryWrite): KvReservation {
    return reserveKv(this.ctx.storage.sql, Date.now(), write);
  }

  /** After the KV write: count the entry (and wake the alarm when it expires). */
  async recordKv(write: KvEntryWrite & { key: string }): Promise<{ created: boolean }> {
    const recorded = recordKv(this.ctx.storage.sql, Date.now(), write);
    if (write.expiresAt !== null) await this.scheduleSweep(write.expiresAt);
    return recorded;
  }

  /** After a KV delete: the entry no longer counts. True when it was live. */
  releaseKv(key: string): boolean {
    return releaseKv(this.ctx.storage.sql, Date.now(), key);
  }

  /** Whether the payer holds this live KV entry (consistent, unlike a KV read). */
  hasKv(key: string): boolean {
    return hasKv(this.ctx.storage.sql, Date.now(), key);
  }

  kvUsage(): KvUsage {
    return kvUsage(this.ctx.storage.sql, Date.now());
  }

  // --- user SQL (/storage/db)
  // The payer's own tables; sql-guard.ts keeps every statement away from the system tables.

  /** One read-only statement, always rolled back; at most `maxRows` rows. */
  queryUserSql(request: UserQueryRequest): UserSqlResult<UserQueryRows> {
    return queryUserSql(this.ctx.storage, request);
  }

  /** Statements in one transaction, rolled back over quota (and always with `dryRun`). */
  executeUserSql(request: UserExecuteRequest): UserSqlResult<UserExecuteOutcome> {
    return executeUserSql(this.ctx.storage, request);
  }

  describeUserTables(): UserTable[] {
    return describeUserTables(this.ctx.storage);
  }

  // --- memory (/storage/memory)
  // Writes of several rows run in one transaction; deleted items take their scans with them.

  /** Precheck of a store (before settlement): refused if it would pass the item quota. */
  checkMemoryStore(ids: string[]): MemoryRefusal | null {
    return checkMemoryStore(this.ctx.storage.sql, ids);
  }

  /** Upserts the items (the quota checked again, in the same transaction). */
  storeMemory(items: MemoryWrite[], now: number): MemoryStoreOutcome {
    return this.ctx.storage.transactionSync(() => storeMemory(this.ctx.storage.sql, items, now));
  }

  /** The best `limit` matches of `query` (a `vectorBlob`), best first. */
  searchMemory(query: ArrayBuffer, limit: number, threshold: number | null): MemoryMatch[] {
    return searchMemory(this.ctx.storage.sql, query, limit, threshold);
  }

  listMemory(limit: number, after: string | null): { items: MemoryItem[]; next: string | null } {
    return listMemory(this.ctx.storage.sql, limit, after);
  }

  /** How many of these ids are stored (a delete's precheck). */
  countMemoryIds(ids: string[]): number {
    return countStoredIds(this.ctx.storage.sql, ids);
  }

  deleteMemory(ids: string[]): { deleted: number } {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const deleted = deleteMemory(sql, ids);
      forgetScans(sql, 'memory', ids);
      return { deleted };
    });
  }

  clearMemory(): { cleared: number } {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const cleared = clearMemory(sql);
      forgetScans(sql, 'memory', null);
      return { cleared };
    });
  }

  // --- scans (of kv values, pastes and memory texts)
  // `now` as for locks. A verdict is recorded only if its scan is still the content's latest.

  beginScans(scans: ScanStart[], now: number): void {
    this.ctx.storage.transactionSync(() => beginScans(this.ctx.storage.sql, scans, now));
  }

  finishScans(verdicts: ScanVerdict[]): void {
    this.ctx.storage.transactionSync(() => finishScans(this.ctx.storage.sql, verdicts));
  }

  /** The scan of live content of the payer, or null. */
  readScan(kind: ScanKind, id: string, now: number): ScanRecord | null {
    return readScan(this.ctx.storage.sql, kind, id, now);
  }

  override async alarm(): Promise<void> {
    // Expired rows are removed here (not only lazily); each store adds its sweep.
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    // Locks past their expiry are deleted; queue items past their visibility deadline return.
    for (const next of [sweepLocks(sql, now), sweepQueues(sql, now)]) {
      if (next !== null) await this.scheduleSweep(next);
    }
    // KV entries and pastes past their expiry stop counting in the payer's quota.
    const nextKvExpiry = sweepKv(sql, now);
    if (nextKvExpiry !== null) await this.scheduleSweep(nextKvExpiry);
  }
}

/** The payer's own Durable Object: its storage namespace. */
export function payerStore(
  env: Env,
  network: string,
  payer: string,
): DurableObjectStub<PayerStore> {
  return env.PAYER_STORE.get(env.PAYER_STORE.idFromName(`${network}:${payer}`));
}
