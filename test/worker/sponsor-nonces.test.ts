/**
 * The SponsorNonces Durable Object's lease book: strictly increasing nonces, given-back nonces
 * handed out first, leases that die with their request reclaimed, and the chain's view applied
 * without ever handing out a nonce the chain has used.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ABANDONED_LEASE_MS } from '../../src/durable-objects/sponsor-nonces';

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
});
