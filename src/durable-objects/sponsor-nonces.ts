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
 *
 * A spent nonce can still be lost: the broadcast's outcome was unknown and it never landed, or the
 * transaction was dropped. Left alone it is a gap that no later sponsored transaction can be mined
 * across. Two ways back: `reclaim` (the payment's tracker saw it end lost, and the chain has not
 * used its nonce) and `sync` (a spent lease the chain still has neither executed nor pending
 * `LOST_LEASE_MS` after its broadcast). Either way the nonce is handed out first again, and
 * `refill` lets a payment leased above a gap take the gap's nonce instead, so the next sponsored
 * payment fills it.
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
/**
 * A spent lease whose nonce the chain has neither executed nor pending this long after its
 * broadcast is lost: the tracker's re-broadcasts (1 + 2 + 4 + ... s) and the API's indexing lag are
 * well inside it. Should its bytes land after all, the node refuses one of the two transactions
 * with that nonce, and the refused one is charged nothing.
 */
export const LOST_LEASE_MS = 60_000;
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
    const pendingOnChain = (nonce: number) => usedOnChain(chain, nonce);
    for (const { nonce } of sql
      .exec<{ nonce: number }>('SELECT nonce FROM free_nonces')
      .toArray()) {
      if (pendingOnChain(nonce)) sql.exec('DELETE FROM free_nonces WHERE nonce = ?', nonce);
    }
    const lost = sql
      .exec<{ origin_txid: string; nonce: number }>(
        `SELECT origin_txid, nonce FROM leases WHERE state = 'spent' AND updated_at < ? AND nonce > ?`,
        now - LOST_LEASE_MS,
        lastExecuted,
      )
      .toArray()
      .filter((lease) => !pendingOnChain(lease.nonce));
    for (const lease of lost)
      sql.exec('DELETE FROM leases WHERE origin_txid = ?', lease.origin_txid);
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

  /**
   * The payment leased this nonce ended lost (failed, replaced, not found). If the chain has
   * neither executed nor pending it, the nonce is given back, to be handed out first; a nonce the
   * chain used stays spent. True when it was given back.
   */
  reclaim(originTxid: string, nonce: number, chain: PayerNonces): boolean {
    const sql = this.ctx.storage.sql;
    const lease = sql
      .exec<{ nonce: number }>(
        'SELECT nonce FROM leases WHERE origin_txid = ? AND nonce = ?',
        originTxid,
        nonce,
      )
      .toArray()[0];
    if (!lease || usedOnChain(chain, nonce)) return false;
    sql.exec('DELETE FROM leases WHERE origin_txid = ?', originTxid);
    sql.exec('INSERT OR IGNORE INTO free_nonces (nonce) VALUES (?)', nonce);
    return true;
  }

  /**
   * The chain shows a gap below the nonce held for `originTxid`: align with the chain (lost leases
   * given back), then move the held lease down to the lowest free nonce if it is lower, so this
   * payment fills the gap rather than waiting behind it.
   */
  refill(originTxid: string, owner: string, chain: PayerNonces, now = Date.now()): NonceAllocation {
    this.sync(chain, now);
    const sql = this.ctx.storage.sql;
    const lease = sql
      .exec<{ nonce: number; owner: string; state: string }>(
        'SELECT nonce, owner, state FROM leases WHERE origin_txid = ?',
        originTxid,
      )
      .toArray()[0];
    if (!lease) return this.allocate(originTxid, owner, now);
    if (lease.state !== 'held' || lease.owner !== owner) {
      return { type: 'allocated', nonce: lease.nonce };
    }
    const free = sql
      .exec<{ nonce: number | null }>('SELECT MIN(nonce) AS nonce FROM free_nonces')
      .one().nonce;
    if (free === null || free >= lease.nonce) return { type: 'allocated', nonce: lease.nonce };
    sql.exec('DELETE FROM free_nonces WHERE nonce = ?', free);
    sql.exec('INSERT OR IGNORE INTO free_nonces (nonce) VALUES (?)', lease.nonce);
    sql.exec(
      'UPDATE leases SET nonce = ?, updated_at = ? WHERE origin_txid = ?',
      free,
      now,
      originTxid,
    );
    return { type: 'allocated', nonce: free };
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

/** The chain has executed this nonce, or a pending transaction carries it. */
function usedOnChain(chain: PayerNonces, nonce: number): boolean {
  return (
    nonce <= (chain.lastExecutedNonce ?? -1) ||
    (nonce < chain.possibleNextNonce && !chain.missingNonces.includes(nonce))
  );
}
