/**
 * Sponsored payments (issue 11) through the real app in workerd, with the real SponsorNonces
 * Durable Object and D1: the payer signs with fee 0, the Worker signs as sponsor within its fee
 * policy and settles the sponsored bytes; nonces are leased without gaps and re-read from the chain
 * when the node refuses one.
 */
import {
  AuthType,
  createAddress,
  deserializeTransaction,
  getAddressFromPrivateKey,
  isSingleSig,
  randomPrivateKey,
  serializeTransaction,
  type StacksTransactionWire,
} from '@stacks/transactions';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { authorizationError } from '../../devnet/signatures';
import { bytesToHex } from '../../src/encoding/hex';
import { CHAIN_ID } from '../../src/stacks/tokens';
import { ledgerRows, paymentRequiredOf, paymentResponseOf, testApp } from './support/app';
import { requirementFor } from './support/paid-request';
import { buildPayment, PAYER, type PaymentOptions, paymentHeader } from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };

/** A fresh sponsor per test: its own SponsorNonces object, so tests never share a lease book. */
function sponsorSetup(vars: Partial<Env> = {}) {
  const key = randomPrivateKey();
  const address = getAddressFromPrivateKey(key, 'testnet');
  const bindings = { ...env, SPONSOR_PRIVATE_KEY: key, ...vars } as Env;
  const app = testApp();
  // The sponsor has used nonces 0 to 4 on chain: its next one is 5. Every sponsored transaction
  // the settler accepts is pending from then on, as the Stacks API would report it.
  app.chain.nonces.set(address, 4);
  app.chain.pending.set(address, { possibleNextNonce: 5, missingNonces: [] });
  const inMempool = new Set<number>();
  app.settler.next = (payment) => {
    if (payment.sponsorship?.mode === 'worker') {
      inMempool.add(payment.sponsorship.nonce);
      const possibleNextNonce = Math.max(5, ...inMempool) + 1;
      const missingNonces = [];
      for (let n = 5; n < possibleNextNonce; n++) if (!inMempool.has(n)) missingNonces.push(n);
      app.chain.pending.set(address, { possibleNextNonce, missingNonces });
    }
    return { type: 'settled', txid: payment.txid };
  };
  const store = env.SPONSOR_NONCES.get(env.SPONSOR_NONCES.idFromName(`testnet:${address}`));
  const pay = async (options: PaymentOptions = {}) => {
    const accepted = await requirementFor(app, ROUTE, { body: BODY }, options.token ?? 'STX');
    const tx = await buildPayment({ sponsored: true, fee: 0n, ...options });
    const res = await app.post(
      ROUTE,
      BODY,
      { 'payment-signature': paymentHeader(tx, accepted) },
      bindings,
    );
    return { res, originTxid: tx.txid() };
  };
  return { key, address, bindings, app, store, pay };
}

/** The sponsor's half of a settled transaction, with its signature checked as a node checks it. */
function sponsorPart(tx: StacksTransactionWire) {
  expect(tx.auth.authType).toBe(AuthType.Sponsored);
  if (tx.auth.authType !== AuthType.Sponsored) throw new Error('not sponsored');
  expect(authorizationError(tx, tx.txid(), CHAIN_ID.testnet)).toBeUndefined();
  const sponsor = tx.auth.sponsorSpendingCondition;
  if (!isSingleSig(sponsor)) throw new Error('single-sig sponsor expected');
  return {
    signer: sponsor.signer,
    nonce: sponsor.nonce,
    fee: sponsor.fee,
    originFee: tx.auth.spendingCondition.fee,
  };
}

async function sponsorRow(paymentId: string) {
  return env.DB.prepare(
    'SELECT origin_txid, sponsor, sponsor_nonce, fee FROM sponsored_payments WHERE payment_id = ?',
  )
    .bind(paymentId)
    .first();
}

describe('sponsored payments with a sponsor configured', () => {
  it('signs as sponsor with the policy fee and the next nonce, settles and records the fee', async () => {
    const { app, address, pay } = sponsorSetup();
    const { res, originTxid } = await pay();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      hash: '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    });
    const [settled] = app.settler.settled;
    const tx = deserializeTransaction(bytesToHex(settled.transaction));
    expect(sponsorPart(tx)).toEqual({
      signer: createAddress(address).hash160,
      nonce: 5n,
      fee: 1000n,
      originFee: 0n,
    });
    // The txid is the sponsored one everywhere: receipt, ledger, tracker.
    const txid = tx.txid();
    expect(txid).not.toBe(originTxid);
    expect(res.headers.get('x-transaction-id')).toBe(`0x${txid}`);
    expect(paymentResponseOf(res)).toMatchObject({
      success: true,
      payer: PAYER,
      transaction: `0x${txid}`,
    });
    const [row] = await ledgerRows();
    expect({ txid: row.txid, payer: row.payer, nonce: row.nonce, status: row.status }).toEqual({
      txid,
      payer: PAYER,
      nonce: '0',
      status: 'mempool',
    });
    expect(app.tracker.jobs.map((job) => job.txid)).toEqual([txid]);
    expect(await sponsorRow(settled.paymentId)).toEqual({
      origin_txid: originTxid,
      sponsor: address,
      sponsor_nonce: 5,
      fee: '1000',
    });
  });

  it('accepts an sBTC transfer in allow mode with no post-conditions, sponsored', async () => {
    const { app, pay } = sponsorSetup();
    const { res } = await pay({ token: 'sBTC', postConditionMode: 'allow', postConditions: [] });
    expect(res.status).toBe(200);
    expect(app.settler.settled.map((p) => [p.token, p.amount])).toEqual([['sBTC', 2n]]);
  });

  it('gives concurrent payments distinct consecutive sponsor nonces', async () => {
    const { app, pay, store } = sponsorSetup();
    const results = await Promise.all([0n, 1n, 2n, 3n, 4n, 5n].map((nonce) => pay({ nonce })));
    expect(results.map(({ res }) => res.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const nonces = app.settler.settled.map((p) =>
      p.sponsorship?.mode === 'worker' ? p.sponsorship.nonce : -1,
    );
    expect([...nonces].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);
    const snapshot = await store.snapshot();
    expect({ next: snapshot.next, free: snapshot.free }).toEqual({ next: 11, free: [] });
    expect(snapshot.leases.map((lease) => lease.state)).toEqual(Array(6).fill('spent'));
    // Each sponsor nonce had every one below it pending by the time it was delivered.
    expect((await ledgerRows()).map((row) => row.delivery)).toEqual(Array(6).fill('mempool'));
  });

  it('gives a refused broadcast’s nonce back: the next payment gets it, no gap', async () => {
    const { app, pay, store } = sponsorSetup();
    app.settler.answer({ type: 'rejected', code: 'insufficient_funds', detail: 'NotEnoughFunds' });
    const refused = await pay({ nonce: 0n });
    expect(refused.res.status).toBe(402);
    expect(paymentRequiredOf(refused.res).error).toBe('insufficient_funds');
    expect(await store.snapshot()).toEqual({ next: 6, free: [5], leases: [] });
    app.settler.next = (payment) => ({ type: 'settled', txid: payment.txid });
    const paid = await pay({ nonce: 1n });
    expect(paid.res.status).toBe(200);
    const last = app.settler.settled.at(-1);
    expect(last?.sponsorship).toMatchObject({ mode: 'worker', nonce: 5 });
    expect(await sponsorRow(app.settler.settled[0].paymentId)).toBeNull();
  });

  it('re-reads the chain and signs again when the node refuses the sponsor nonce', async () => {
    const { app, address, pay, store } = sponsorSetup();
    let calls = 0;
    app.settler.next = (payment) => {
      calls += 1;
      if (calls === 1) {
        // Someone else spent nonces 5 and 6 with the sponsor key meanwhile.
        app.chain.nonces.set(address, 6);
        app.chain.pending.set(address, { possibleNextNonce: 7, missingNonces: [] });
        return {
          type: 'rejected',
          code: 'client_bad_nonce',
          detail: 'BadNonce',
          sponsorNonceSuspect: true,
        };
      }
      return { type: 'settled', txid: payment.txid };
    };
    const { res } = await pay();
    expect(res.status).toBe(200);
    const [first, second] = app.settler.settled;
    expect(first).toBe(second);
    const tx = deserializeTransaction(bytesToHex(second.transaction));
    expect(sponsorPart(tx).nonce).toBe(7n);
    expect(res.headers.get('x-transaction-id')).toBe(`0x${tx.txid()}`);
    const [row] = await ledgerRows();
    expect(row.txid).toBe(tx.txid());
    expect(await store.snapshot()).toMatchObject({ next: 8, free: [] });
  });

  it('gives the nonce back when the claim is refused (another payment holds the payer nonce)', async () => {
    const { app, pay, store } = sponsorSetup();
    expect((await pay({ nonce: 0n })).res.status).toBe(200);
    // Another transaction with the same payer nonce (another amount): a replay of the nonce.
    const replay = await pay({ nonce: 0n, amount: 1001n });
    expect(paymentRequiredOf(replay.res).error).toBe('payment_already_used');
    expect(await store.snapshot()).toMatchObject({ next: 7, free: [6] });
    // The same payment again leases nothing new either: it is sponsored with its own nonce.
    const again = await pay({ nonce: 0n });
    expect(paymentRequiredOf(again.res).error).toBe('payment_already_used');
    expect(app.settler.settled).toHaveLength(1);
    expect(await store.snapshot()).toMatchObject({ next: 7, free: [6] });
  });

  it('refuses every verification failure when sponsored, leasing and settling nothing', async () => {
    const { app, pay, store } = sponsorSetup();
    const cases: [PaymentOptions, string][] = [
      [{ recipient: PAYER }, 'recipient_mismatch'],
      [{ amount: 999n }, 'amount_insufficient'],
      [{ network: 'mainnet' }, 'invalid_network'],
      [{ fee: 300n }, 'invalid_transaction'],
      [{ postConditionMode: 'allow' }, 'invalid_post_conditions'],
      [{ token: 'sBTC', amount: 1n }, 'amount_insufficient'],
      [{ token: 'sBTC', postConditionMode: 'allow' }, 'invalid_post_conditions'],
      [{ token: 'sBTC', postConditions: [] }, 'invalid_post_conditions'],
      [{ token: 'USDCx', functionName: 'transfer-many' }, 'invalid_transfer_call'],
    ];
    for (const [options, code] of cases) {
      const { res } = await pay(options);
      expect({ status: res.status, code: paymentRequiredOf(res).error, options }).toEqual({
        status: 402,
        code,
        options,
      });
    }
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    expect(await store.snapshot()).toEqual({ next: null, free: [], leases: [] });
  });

  it('refuses a sponsored payment whose signature does not verify', async () => {
    const { app, bindings, store } = sponsorSetup();
    const accepted = await requirementFor(app, ROUTE, { body: BODY });
    const tx = await buildPayment({ sponsored: true, fee: 0n });
    const hex = serializeTransaction(tx);
    // Flip a bit of the origin signature (it starts after 44 bytes of header and condition).
    const tampered =
      hex.slice(0, 2 * 50) +
      (Number.parseInt(hex.slice(100, 102), 16) ^ 1).toString(16).padStart(2, '0') +
      hex.slice(102);
    const res = await app.post(
      ROUTE,
      BODY,
      { 'payment-signature': paymentHeader(tampered, accepted) },
      bindings,
    );
    expect(paymentRequiredOf(res).error).toBe('signature_validation_failed');
    expect(await store.snapshot()).toEqual({ next: null, free: [], leases: [] });
  });
});

describe('sponsorship off, or by the facilitator', () => {
  it('refuses sponsored payments without a sponsor', async () => {
    const app = testApp();
    const accepted = await requirementFor(app, ROUTE, { body: BODY });
    const tx = await buildPayment({ sponsored: true, fee: 0n });
    const res = await app.post(ROUTE, BODY, { 'payment-signature': paymentHeader(tx, accepted) });
    expect(paymentRequiredOf(res).error).toBe('sponsored_not_allowed');
    expect(app.settler.settled).toHaveLength(0);
  });

  it('forwards the payload unchanged to a facilitator that sponsors, and adopts its txid', async () => {
    const { app, pay } = sponsorSetup({
      SETTLEMENT_MODE: 'facilitator',
      FACILITATOR_URL: 'http://facilitator.test',
      FACILITATOR_SPONSORS: 'true',
    });
    const sponsoredTxid = 'ab'.repeat(32);
    app.settler.next = () => ({ type: 'settled', txid: sponsoredTxid });
    const { res, originTxid } = await pay({
      token: 'sBTC',
      postConditionMode: 'allow',
      postConditions: [],
    });
    expect(res.status).toBe(200);
    const [settled] = app.settler.settled;
    expect(deserializeTransaction(bytesToHex(settled.transaction)).txid()).toBe(originTxid);
    expect(settled.sponsorship).toEqual({ mode: 'facilitator', originTxid });
    expect(res.headers.get('x-transaction-id')).toBe(`0x${sponsoredTxid}`);
    expect((await ledgerRows())[0].txid).toBe(sponsoredTxid);
  });

  it('GET / says whether sponsorship is on, and who the sponsor is', async () => {
    const { app, address, bindings } = sponsorSetup();
    const info = async (b: Env) =>
      ((await (await app.request('/', {}, b)).json()) as { payments: unknown }).payments;
    expect(await info(bindings)).toEqual({
      enabled: true,
      payTo: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
      sponsorship: {
        enabled: true,
        by: 'server',
        sponsor: address,
        feeMicroStx: '1000',
        maxFeeMicroStx: '10000',
      },
    });
    expect(await info({ ...bindings, SPONSOR_PRIVATE_KEY: 'not a key' } as Env)).toMatchObject({
      enabled: false,
      problems: [
        'SPONSOR_PRIVATE_KEY must be a hex secp256k1 private key (64 hex digits, or 66 ending in 01)',
      ],
    });
    expect(await info({ ...bindings, SPONSOR_FEE_MICROSTX: '20000' } as Env)).toMatchObject({
      enabled: false,
      problems: ['SPONSOR_FEE_MICROSTX (20000) must not exceed SPONSOR_MAX_FEE_MICROSTX (10000)'],
    });
  });
});
