/**
 * The SponsorNonces Durable Object's lease book: strictly increasing nonces, given-back nonces
 * handed out first, leases that die with their request reclaimed, and the chain's view applied
 * without ever handing out a nonce the chain has used.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ABANDONED_LEASE_MS, LOST_LEASE_MS } from '../../src/durable-objects/sponsor-nonces';

let counter = 0;
/** A lease book of its own for each test. */
const freshStore = () =>
  env.SPONSOR_NONCES.get(env.SPONSOR_NONCES.idFromName(`testnet:sponsor-${++counter}`));
const chain = (
  lastExecutedNonce: number | null,
  possibleNextNonce: number,
  missingNonces: number[] = [],
) => ({
  lastExecutedNonce,
  possibleNextNonce,
  missingNonces,
});

describe('SponsorNonces', () => {
  it('asks for the chain first, then leases the chain’s next nonce and counts up', async () => {
    const store = freshStore();
    expect(await store.allocate('tx-a', 'pay_a')).toEqual({ type: 'unsynced' });
    await store.sync(chain(2, 3));
    expect(await store.allocate('tx-a', 'pay_a')).toEqual({ type: 'allocated', nonce: 3 });
    expect(await store.allocate('tx-b', 'pay_b')).toEqual({ type: 'allocated', nonce: 4 });
    // The same payment again keeps its lease (same nonce, so the same sponsored bytes).
    expect(await store.allocate('tx-a', 'pay_other')).toEqual({ type: 'allocated', nonce: 3 });
  });

  it('hands a given-back nonce out before any new one; only its owner gives a held lease back', async () => {
    const store = freshStore();
    await store.sync(chain(null, 0));
    for (const id of ['a', 'b', 'c']) await store.allocate(`tx-${id}`, `pay_${id}`);
    expect(await store.release('tx-b', 'pay_intruder')).toBe(false);
    expect(await store.release('tx-b', 'pay_b')).toBe(true);
    await store.spend('tx-c');
    expect(await store.release('tx-c', 'pay_c')).toBe(false);
    expect(await store.allocate('tx-d', 'pay_d')).toEqual({ type: 'allocated', nonce: 1 });
    expect(await store.allocate('tx-e', 'pay_e')).toEqual({ type: 'allocated', nonce: 3 });
  });

  it('reclaims a lease whose request died before settling', async () => {
    const store = freshStore();
    await store.sync(chain(null, 0));
    const start = 1_000_000;
    expect(await store.allocate('tx-a', 'pay_a', start)).toEqual({ type: 'allocated', nonce: 0 });
    expect(await store.allocate('tx-b', 'pay_b', start + ABANDONED_LEASE_MS - 1)).toEqual({
      type: 'allocated',
      nonce: 1,
    });
    expect(await store.allocate('tx-c', 'pay_c', start + ABANDONED_LEASE_MS + 1)).toEqual({
      type: 'allocated',
      nonce: 0,
    });
  });

  it('syncs from the chain: skips nonces used elsewhere, gives back a gap nobody holds', async () => {
    const store = freshStore();
    await store.sync(chain(null, 0));
    for (const id of ['a', 'b', 'c', 'd']) await store.allocate(`tx-${id}`, `pay_${id}`);
    await store.spend('tx-a');
    await store.spend('tx-d');
    // b and c died without giving their nonces back; the chain has 0 and 3 pending, 1 and 2 missing.
    await store.release('tx-b', 'pay_b');
    await store.sync(chain(null, 4, [1, 2]));
    expect(await store.snapshot()).toMatchObject({ next: 4, free: [1] });
    // Someone else used 4 to 6 with the sponsor's key: the book moves past them.
    await store.sync(chain(6, 7));
    const snapshot = await store.snapshot();
    expect({ next: snapshot.next, free: snapshot.free }).toEqual({ next: 7, free: [] });
    expect(await store.allocate('tx-e', 'pay_e')).toEqual({ type: 'allocated', nonce: 7 });
  });

  it('takes back the nonce of a lost payment only if the chain has not used it', async () => {
    const store = freshStore();
    await store.sync(chain(4, 5));
    for (const id of ['a', 'b', 'c']) {
      await store.allocate(`tx-${id}`, `pay_${id}`);
      await store.spend(`tx-${id}`);
    }
    // 5 was dropped (missing below the pending 6 and 7); 7 is pending; 6 was mined meanwhile.
    expect(await store.reclaim('tx-a', 5, chain(4, 8, [5]))).toBe(true);
    expect(await store.reclaim('tx-c', 7, chain(4, 8, [5]))).toBe(false);
    expect(await store.reclaim('tx-b', 6, chain(6, 8))).toBe(false);
    // A lease the nonce no longer belongs to is not touched.
    expect(await store.reclaim('tx-c', 5, chain(4, 8, [5]))).toBe(false);
    expect(await store.snapshot()).toMatchObject({ next: 8, free: [5] });
    expect(await store.allocate('tx-d', 'pay_d')).toEqual({ type: 'allocated', nonce: 5 });
  });

  it('gives back a spent lease the chain still lacks LOST_LEASE_MS after its broadcast', async () => {
    const store = freshStore();
    const start = 2_000_000;
    await store.sync(chain(4, 5), start);
    await store.allocate('tx-a', 'pay_a', start);
    await store.spend('tx-a', start);
    await store.allocate('tx-b', 'pay_b', start);
    await store.spend('tx-b', start);
    // The broadcast of 5 never landed; 6 is pending above the gap.
    await store.sync(chain(4, 7, [5]), start + LOST_LEASE_MS - 1);
    expect(await store.snapshot()).toMatchObject({ next: 7, free: [] });
    await store.sync(chain(4, 7, [5]), start + LOST_LEASE_MS + 1);
    const snapshot = await store.snapshot();
    expect({ free: snapshot.free, leased: snapshot.leases.map((l) => l.nonce) }).toEqual({
      free: [5],
      leased: [6],
    });
  });

  it('moves a lease held above a gap down into it (refill)', async () => {
    const store = freshStore();
    await store.sync(chain(4, 5));
    await store.allocate('tx-a', 'pay_a');
    await store.spend('tx-a');
    await store.allocate('tx-b', 'pay_b');
    // 5 went back meanwhile (its payment was lost): b, holding 6, takes 5 and 6 goes back.
    expect(await store.reclaim('tx-a', 5, chain(4, 5))).toBe(true);
    expect(await store.refill('tx-b', 'pay_b', chain(4, 5))).toEqual({
      type: 'allocated',
      nonce: 5,
    });
    expect(await store.snapshot()).toMatchObject({ next: 7, free: [6] });
    // Someone else's lease is never moved.
    expect(await store.refill('tx-b', 'pay_intruder', chain(4, 5))).toEqual({
      type: 'allocated',
      nonce: 5,
    });
  });
});
