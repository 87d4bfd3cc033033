/**
 * A lost sponsor nonce (the sponsor nonce gap): a sponsored transaction that never lands leaves a
 * gap in our sponsor's nonces, and a node admits, but never mines, every later sponsored
 * transaction above it. Through the real app, SponsorNonces object and D1, with a scripted chain:
 * a payment above the gap is never delivered at `mempool`, the lost nonce goes back to the lease
 * book and the next payment fills it, and both are then mined and paid for. Also: a payment a
 * facilitator sponsored is not called `replaced` for the nonce its own sponsored version spent.
 */
import {
  deserializeTransaction,
  getAddressFromPrivateKey,
  randomPrivateKey,
} from '@stacks/transactions';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { getServiceConfig } from '../../src/config';
import { bytesToHex } from '../../src/encoding/hex';
import { getHistory, getPayment } from '../../src/payment/ledger';
import { getPayerFlag } from '../../src/payment/payer-flags';
import { returnLostSponsorNonce } from '../../src/payment/sponsor-order';
import { checkOnChain, type TrackingJob } from '../../src/payment/tracking';
import { ROUTES } from '../../src/routes';
import { BASE, paymentRequiredOf } from './support/app';
import { FakeChain, FakeSettler, FakeTracker } from './support/fakes';
import {
  buildPayment,
  OTHER,
  OTHER_KEY,
  PAYER,
  PAYER_KEY,
  paymentHeader,
  TESTNET,
} from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };
const HASH = '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';

/**
 * The real app with fakes for the chain, settler and tracker; a fresh sponsor that has used nonces
 * 0 to 4, whose transactions the chain shows pending once the settler accepts them. Deliveries do
 * not wait for the sponsor's nonces to settle (`sponsorOrderWaitMs: 0`) nor for confirmation.
 */
function sponsoredApp(vars: Partial<Env> = {}) {
  const settler = new FakeSettler();
  const tracker = new FakeTracker();
  const chain = new FakeChain();
  const app = createApp({
    deps: {
      settlerFor: () => settler,
      startTracking: tracker.start,
      chainFor: () => chain,
      sponsorOrderWaitMs: 0,
    },
    routes: ROUTES,
  });
  const key = randomPrivateKey();
  const sponsor = getAddressFromPrivateKey(key, 'testnet');
  const bindings = {
    ...env,
    SPONSOR_PRIVATE_KEY: key,
    CONFIRMATION_WAIT_SECONDS: '0',
    ...vars,
  } as Env;
  chain.nonces.set(sponsor, 4);
  const pending = new Set<number>();
  /** The Stacks API's view of the sponsor's nonces: executed up to 4, then `pending`. */
  const showSponsorMempool = () => {
    const possibleNextNonce = Math.max(4, ...pending) + 1;
    const missingNonces: number[] = [];
    for (let n = 5; n < possibleNextNonce; n++) if (!pending.has(n)) missingNonces.push(n);
    chain.pending.set(sponsor, { possibleNextNonce, missingNonces });
  };
  showSponsorMempool();
  settler.next = (payment) => {
    if (payment.sponsorship?.mode === 'worker') pending.add(payment.sponsorship.nonce);
    showSponsorMempool();
    return { type: 'settled', txid: payment.txid };
  };
  const store = env.SPONSOR_NONCES.get(env.SPONSOR_NONCES.idFromName(`testnet:${sponsor}`));
  const requirement = async () => {
    const res = await app.request(
      `${BASE}${ROUTE}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BODY),
      },
      bindings,
    );
    return paymentRequiredOf(res).accepts[0];
  };
  const send = (header: string) =>
    app.request(
      `${BASE}${ROUTE}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payment-signature': header },
        body: JSON.stringify(BODY),
      },
      bindings,
    );
  /** A sponsored payment signed with `senderKey` (nonce 0), and the header that carries it. */
  const signed = async (senderKey: string) =>
    paymentHeader(await buildPayment({ sponsored: true, fee: 0n, senderKey }), await requirement());
  const config = getServiceConfig(bindings);
  if (!config.ok) throw new Error(config.problems.join('; '));
  return {
    settler,
    tracker,
    chain,
    sponsor,
    store,
    send,
    signed,
    config: config.config,
    /** The chain drops the pending transaction carrying this sponsor nonce. */
    drop(nonce: number, txid: string) {
      pending.delete(nonce);
      showSponsorMempool();
      chain.txs.set(txid, { txStatus: 'dropped_replace_by_fee' });
    },
  };
}

const sponsorNonceOf = (transaction: Uint8Array) => {
  const tx = deserializeTransaction(bytesToHex(transaction));
  if (tx.auth.authType !== 0x05) throw new Error('not sponsored');
  return Number(tx.auth.sponsorSpendingCondition.nonce);
};

describe('a lost sponsor nonce', () => {
  it('never gets a payment above it delivered at mempool; the next payment fills it and both are paid', async () => {
    const t = sponsoredApp();
    // #1 is delivered at mempool with sponsor nonce 5, then dropped (its payer replaced it).
    const first = await t.send(await t.signed(PAYER_KEY));
    expect(first.status).toBe(200);
    const firstId = first.headers.get('x-payment-id') as string;
    const firstRow = await getPayment(env.DB, firstId);
    t.drop(5, firstRow?.txid as string);

    // #2 leases 6 above the gap: broadcast, but served only once it is mined.
    const secondHeader = await t.signed(OTHER_KEY);
    const second = await t.send(secondHeader);
    expect(second.status).toBe(202);
    const secondId = second.headers.get('x-payment-id') as string;
    expect(await getPayment(env.DB, secondId)).toMatchObject({
      status: 'mempool',
      delivery: 'confirmed',
      delivered_at: null,
    });

    // #1's tracker ends it `replaced` and gives its unused sponsor nonce back.
    const [firstJob, secondJob] = t.tracker.jobs;
    expect(firstJob.sponsor).toEqual({
      sponsor: t.sponsor,
      nonce: 5,
      originTxid: expect.any(String),
    });
    const ended = await checkOnChain(env.DB, t.chain, firstJob, firstJob.deadline);
    expect(ended).toEqual({ status: 'replaced', terminal: true });
    expect(await returnLostSponsorNonce(env, t.config, t.chain, firstJob.sponsor as never)).toBe(
      true,
    );
    expect(await t.store.snapshot()).toMatchObject({ next: 7, free: [5] });

    // #3 takes nonce 5: nothing is missing below it, so it is delivered at mempool.
    const thirdKey = randomPrivateKey();
    const third = await t.send(await t.signed(thirdKey));
    expect(third.status).toBe(200);
    expect(t.settler.settled.map((p) => sponsorNonceOf(p.transaction))).toEqual([5, 6, 5]);

    // Both are mined: #2's retry collects its answer, once.
    const thirdRow = await getPayment(env.DB, third.headers.get('x-payment-id') as string);
    t.chain.txs.set(secondJob.txid, { txStatus: 'success', blockHeight: 101 });
    t.chain.txs.set(thirdRow?.txid as string, { txStatus: 'success', blockHeight: 101 });
    const collected = await t.send(secondHeader);
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ hash: HASH });
    expect(await getPayment(env.DB, secondId)).toMatchObject({
      status: 'confirmed',
      delivery: 'confirmed',
      block_height: 101,
    });
    const again = await t.send(secondHeader);
    expect(paymentRequiredOf(again).error).toBe('payment_already_used');
    expect(t.settler.settled).toHaveLength(3);
    // #1's payer replaced its own payment and is marked; #2's payer did nothing wrong.
    expect((await getPayerFlag(env.DB, TESTNET, PAYER))?.paymentId).toBe(firstId);
    expect(await getPayerFlag(env.DB, TESTNET, OTHER)).toBeNull();
  });

  it('delivers a sponsored payment whose broadcast outcome was unknown only once it is confirmed', async () => {
    const t = sponsoredApp();
    t.settler.answer({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the node timed out',
    });
    const header = await t.signed(PAYER_KEY);
    const first = await t.send(header);
    expect(first.status).toBe(202);
    const paymentId = first.headers.get('x-payment-id') as string;
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'broadcasting',
      delivery: 'confirmed',
    });
    // The retry broadcasts the same bytes, which land: in the mempool, still not served.
    t.settler.next = (payment) => ({ type: 'settled', txid: payment.txid });
    const retry = await t.send(header);
    expect(retry.status).toBe(202);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'mempool',
      delivered_at: null,
    });
    const row = await getPayment(env.DB, paymentId);
    t.chain.txs.set(row?.txid as string, { txStatus: 'success', blockHeight: 102 });
    const collected = await t.send(header);
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ hash: HASH });
    expect(t.settler.settled).toHaveLength(2);
  });
});

describe('a payment a facilitator sponsors, with an unknown outcome', () => {
  it('is not called replaced when its payer nonce is spent, and is judged by the facilitator txid once known', async () => {
    const t = sponsoredApp({
      SETTLEMENT_MODE: 'facilitator',
      FACILITATOR_URL: 'http://facilitator.test',
      FACILITATOR_SPONSORS: 'true',
    });
    t.settler.answer({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the facilitator timed out',
    });
    const header = await t.signed(PAYER_KEY);
    const first = await t.send(header);
    expect(first.status).toBe(202);
    const paymentId = first.headers.get('x-payment-id') as string;
    const [job] = t.tracker.jobs;
    expect(job).toMatchObject({ sponsoredBy: 'facilitator', originTxid: job.txid });
    // The facilitator's sponsored version was mined: the payer's nonce 0 is spent, and the
    // payer's own txid is unknown to the chain. That is no replacement.
    t.chain.nonces.set(PAYER, 0);
    expect(await checkOnChain(env.DB, t.chain, job, job.deadline)).toEqual({
      status: 'broadcasting',
      terminal: false,
    });
    // A retry settles again and learns the facilitator's txid: the payment is judged by it.
    const sponsoredTxid = 'cd'.repeat(32);
    t.settler.answer({ type: 'settled', txid: sponsoredTxid });
    t.chain.txs.set(sponsoredTxid, { txStatus: 'success', blockHeight: 103 });
    const retry = await t.send(header);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-transaction-id')).toBe(`0x${sponsoredTxid}`);
    const tracked = { ...job, txid: sponsoredTxid } satisfies TrackingJob;
    expect(await checkOnChain(env.DB, t.chain, tracked, job.deadline)).toEqual({
      status: 'confirmed',
      terminal: true,
    });
    expect(await getPayerFlag(env.DB, TESTNET, PAYER)).toBeNull();
    expect((await getHistory(env.DB, paymentId)).map((e) => e.status)).toEqual([
      'queued',
      'broadcasting',
      'mempool',
      'confirmed',
    ]);
  });

  it('at the deadline ends not_found, without marking the payer', async () => {
    const t = sponsoredApp({
      SETTLEMENT_MODE: 'facilitator',
      FACILITATOR_URL: 'http://facilitator.test',
      FACILITATOR_SPONSORS: 'true',
    });
    t.settler.answer({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the facilitator timed out',
    });
    const first = await t.send(await t.signed(PAYER_KEY));
    expect(first.status).toBe(202);
    const [job] = t.tracker.jobs;
    t.chain.nonces.set(PAYER, 0);
    expect(await checkOnChain(env.DB, t.chain, job, job.deadline, job.deadline)).toEqual({
      status: 'not_found',
      terminal: true,
    });
    expect(await getPayment(env.DB, job.paymentId)).toMatchObject({ claim_active: 1 });
    expect(await getPayerFlag(env.DB, TESTNET, PAYER)).toBeNull();
  });
});
