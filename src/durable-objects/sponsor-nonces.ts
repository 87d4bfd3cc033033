/**
 * The sponsor's nonces (DESIGN section 4 item 5): one Durable Object per sponsor address and
 * network (id: `{network}:{address}`), so every sponsored payment of every isolate draws from one
 * strictly increasing sequence and two payments never share a nonce.
 *
 * A nonce is leased to one origin transaction (its txid, as the payer signed it): the same payment
 * presented again gets the same nonce, hence the same sponsored bytes and txid, so a retry collects
 * instead of paying twice. A lease is `held` until its broadcast has an outcome: `spent` once the
 * node took it (or may have), or given back when the broadcast was refused or never happened, so
 * no gap is left: the lowest given-back nonce is handed out before any new one.
 *
 * The object never calls the chain itself: the Worker reads the sponsor's nonces from the Stacks
 * API and passes them to `sync`, on first use and whenever the node says a nonce is wrong.
 */
import { DurableObject } from 'cloudflare:workers';
import type { PayerNonces } from '../stacks/stacks-api';

export type NonceAllocation =
  | { type: 'allocated'; nonce: number }
  /** Never synchronised with the chain: read the sponsor's nonces and call `sync` first. */
  | { type: 'unsynced' };

/** A `held` lease this old belongs to a request that died before settling: its nonce is reused. */
export const ABANDONED_LEASE_MS = 5 * 60_000;
/** Spent leases are kept this long, so a late retry of the same payment is sponsored identically. */
export const SPENT_LEASE_KEEP_MS = 24 * 3600_000;
/** Bound on the nonces one sync may give back (a chain far behind us means something is wrong). */
const MAX_GAP_SCAN = 1000;

export class SponsorNonces extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS leases (
        origin_txid TEXT PRIMARY KEY,
        nonce       INTEGER NOT NULL UNIQUE,
        owner       TEXT NOT NULL,
        state       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS free_nonces (nonce INTEGER PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
  }

  /**
   * The nonce leased to `originTxid`: its existing lease, else the lowest given-back nonce, else
   * the next new one. `owner` (the payment id) is the only one that may give the lease back.
   */
  allocate(originTxid: string, owner: string, now = Date.now()): NonceAllocation {
    const sql = this.ctx.storage.sql;
    const existing = sql
      .exec<{ nonce: number }>('SELECT nonce FROM leases WHERE origin_txid = ?', originTxid)
      .toArray()[0];
    if (existing) return { type: 'allocated', nonce: existing.nonce };
    const next = this.#next();
    if (next === null) return { type: 'unsynced' };
    this.#reclaimAbandoned(now);
    const free = sql
      .exec<{ nonce: number | null }>('SELECT MIN(nonce) AS nonce FROM free_nonces')
      .one().nonce;
    let nonce: number;
    if (free !== null) {
      nonce = free;
      sql.exec('DELETE FROM free_nonces WHERE nonce = ?', nonce);
    } else {
      nonce = next;
      this.#setNext(next + 1);
    }
    sql.exec(
      `INSERT INTO leases (origin_txid, nonce, owner, state, updated_at) VALUES (?, ?, ?, 'held', ?)`,
      originTxid,
      nonce,
      owner,
      now,
    );
    return { type: 'allocated', nonce };
  }

  /** The broadcast was refused or never made: the nonce goes back, to be handed out first. */
  release(originTxid: string, owner: string): boolean {
    const sql = this.ctx.storage.sql;
    const lease = sql
      .exec<{ nonce: number }>(
        `SELECT nonce FROM leases WHERE origin_txid = ? AND owner = ? AND state = 'held'`,
        originTxid,
        owner,
      )
      .toArray()[0];
    if (!lease) return false;
    sql.exec('DELETE FROM leases WHERE origin_txid = ?', originTxid);
    sql.exec('INSERT OR IGNORE INTO free_nonces (nonce) VALUES (?)', lease.nonce);
    return true;
  }

  /** The node took the transaction (or may have: an unknown outcome): its nonce is used. */
  spend(originTxid: string, now = Date.now()): void {
    this.ctx.storage.sql.exec(
      `UPDATE leases SET state = 'spent', updated_at = ? WHERE origin_txid = ?`,
      now,
      originTxid,
    );
  }

  /**
   * Aligns with the chain (Hiro `/extended/v1/address/{sponsor}/nonces`): nonces the chain has
   * used are never handed out again, the next new nonce is at least the chain's next one, and
   * nonces below it that nobody holds and the chain has not used (a gap) are given back.
   */
  sync(chain: PayerNonces, now = Date.now()): void {
    const sql = this.ctx.storage.sql;
    const lastExecuted = chain.lastExecutedNonce ?? -1;
    const pendingOnChain = (nonce: number) =>
      nonce <= lastExecuted ||
      (nonce < chain.possibleNextNonce && !chain.missingNonces.includes(nonce));
    for (const { nonce } of sql
      .exec<{ nonce: number }>('SELECT nonce FROM free_nonces')
      .toArray()) {
      if (pendingOnChain(nonce)) sql.exec('DELETE FROM free_nonces WHERE nonce = ?', nonce);
    }
    const next = Math.max(this.#next() ?? chain.possibleNextNonce, chain.possibleNextNonce);
    const leased = new Set(
      sql
        .exec<{ nonce: number }>('SELECT nonce FROM leases WHERE nonce > ?', lastExecuted)
        .toArray()
        .map((row) => row.nonce),
    );
    for (let nonce = Math.max(lastExecuted + 1, next - MAX_GAP_SCAN); nonce < next; nonce++) {
      if (!leased.has(nonce) && !pendingOnChain(nonce)) {
        sql.exec('INSERT OR IGNORE INTO free_nonces (nonce) VALUES (?)', nonce);
      }
    }
    this.#setNext(next);
    sql.exec(
      `DELETE FROM leases WHERE state = 'spent' AND updated_at < ?`,
      now - SPENT_LEASE_KEEP_MS,
    );
  }

  /** The state, for tests and diagnostics. */
  snapshot(): {
    next: number | null;
    free: number[];
    leases: { originTxid: string; nonce: number; owner: string; state: string }[];
  } {
    const sql = this.ctx.storage.sql;
    return {
      next: this.#next(),
      free: sql
        .exec<{ nonce: number }>('SELECT nonce FROM free_nonces ORDER BY nonce')
        .toArray()
        .map((row) => row.nonce),
      leases: sql
        .exec<{ origin_txid: string; nonce: number; owner: string; state: string }>(
          'SELECT origin_txid, nonce, owner, state FROM leases ORDER BY nonce',
        )
        .toArray()
        .map((row) => ({
          originTxid: row.origin_txid,
          nonce: row.nonce,
          owner: row.owner,
          state: row.state,
        })),
    };
  }

  #reclaimAbandoned(now: number): void {
    const sql = this.ctx.storage.sql;
    const abandoned = sql
      .exec<{ origin_txid: string; nonce: number }>(
        `SELECT origin_txid, nonce FROM leases WHERE state = 'held' AND updated_at < ?`,
        now - ABANDONED_LEASE_MS,
      )
      .toArray();
    for (const lease of abandoned) {
      sql.exec('DELETE FROM leases WHERE origin_txid = ?', lease.origin_txid);
      sql.exec('INSERT OR IGNORE INTO free_nonces (nonce) VALUES (?)', lease.nonce);
    }
  }

  #next(): number | null {
    const row = this.ctx.storage.sql
      .exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'next'`)
      .toArray()[0];
    return row ? row.value : null;
  }

  #setNext(value: number): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO meta (key, value) VALUES ('next', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      value,
    );
  }
}
