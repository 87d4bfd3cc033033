/**
 * Pending transactions: conflict and replace-by-fee rules, what they will spend, and the order a
 * miner takes them in.
 */
import type { DecodedTx } from './decoded-tx.ts';

export interface PendingTx {
  tx: DecodedTx;
  /** Milliseconds since the epoch, when the devnet accepted it. */
  receivedAt: number;
}

export type ConflictOutcome =
  | { type: 'none' }
  /** stacks-core replaces a pending transaction only for a strictly higher fee. */
  | { type: 'replaces'; previous: PendingTx }
  | { type: 'conflict' };

export class Mempool {
  private readonly pending = new Map<string, PendingTx>();

  get(txid: string): PendingTx | undefined {
    return this.pending.get(txid);
  }

  all(): PendingTx[] {
    return [...this.pending.values()];
  }

  add(tx: DecodedTx, receivedAt: number): void {
    this.pending.set(tx.txid, { tx, receivedAt });
  }

  remove(txid: string): void {
    this.pending.delete(txid);
  }

  /**
   * Another pending transaction that spends one of the same account nonces as `tx`: an account's
   * nonce is one sequence whether it signs as origin or as sponsor (a node's mempool keys both).
   */
  conflictFor(tx: DecodedTx): ConflictOutcome {
    const spends = accountNonces(tx);
    for (const other of this.pending.values()) {
      const clash = accountNonces(other.tx).some((theirs) =>
        spends.some((ours) => ours.address === theirs.address && ours.nonce === theirs.nonce),
      );
      if (!clash) continue;
      return tx.fee > other.tx.fee ? { type: 'replaces', previous: other } : { type: 'conflict' };
    }
    return { type: 'none' };
  }

  /** µSTX the address's pending transactions will spend: fees it pays, STX it transfers. */
  spending(address: string, except?: string): bigint {
    let total = 0n;
    for (const { tx } of this.pending.values()) {
      if (tx.txid === except) continue;
      if (tx.payer === address) total += tx.fee;
      if (tx.origin === address && tx.payload.type === 'token_transfer') {
        total += tx.payload.amount;
      }
    }
    return total;
  }

  /** µSTX pending token transfers will bring the address. */
  incoming(address: string): bigint {
    let total = 0n;
    for (const { tx } of this.pending.values()) {
      if (tx.payload.type === 'token_transfer' && tx.payload.recipient === address) {
        total += tx.payload.amount;
      }
    }
    return total;
  }

  /** Nonces of the address's pending transactions (as origin or as sponsor), ascending. */
  noncesOf(address: string): number[] {
    const nonces: number[] = [];
    for (const { tx } of this.pending.values()) {
      if (tx.origin === address) nonces.push(Number(tx.nonce));
      if (tx.sponsor === address && tx.sponsorNonce !== undefined) {
        nonces.push(Number(tx.sponsorNonce));
      }
    }
    return nonces.sort((a, b) => a - b);
  }

  /**
   * The transactions a block can take, in order: each one carries exactly the next nonce of its
   * origin (and of its sponsor), counting the ones taken before it. A gap in an account's nonces
   * holds back everything after it, as on a node. Arrival order decides between accounts.
   */
  takeable(
    accountNonce: (address: string) => number,
    held: (txid: string) => boolean,
  ): DecodedTx[] {
    const next = new Map<string, bigint>();
    const nextNonce = (address: string) => next.get(address) ?? BigInt(accountNonce(address));
    const waiting = this.all()
      .filter((entry) => !held(entry.tx.txid))
      .sort((a, b) => a.receivedAt - b.receivedAt)
      .map((entry) => entry.tx);
    const taken: DecodedTx[] = [];
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const tx of waiting) {
        if (taken.includes(tx) || tx.nonce !== nextNonce(tx.origin)) continue;
        if (tx.sponsor !== undefined && tx.sponsorNonce !== nextNonce(tx.sponsor)) continue;
        taken.push(tx);
        next.set(tx.origin, tx.nonce + 1n);
        if (tx.sponsor !== undefined && tx.sponsorNonce !== undefined) {
          next.set(tx.sponsor, tx.sponsorNonce + 1n);
        }
        progressed = true;
      }
    }
    return taken;
  }
}

/** The (account, nonce) pairs a transaction consumes: its origin's, and its sponsor's if any. */
function accountNonces(tx: DecodedTx): { address: string; nonce: bigint }[] {
  return [
    { address: tx.origin, nonce: tx.nonce },
    ...(tx.sponsor !== undefined && tx.sponsorNonce !== undefined
      ? [{ address: tx.sponsor, nonce: tx.sponsorNonce }]
      : []),
  ];
}
