/** `GET /payment-status/{paymentId}` and the lifecycle history behind it. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getPayerFlag } from '../../src/payment/payer-flags';
import { checkOnChain } from '../../src/payment/tracking';
import { type TestApp, testApp } from './support/app';
import { FakeChain } from './support/fakes';
import { signPaymentFor } from './support/paid-request';
import { PAYER, TESTNET } from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };

async function pay(app: TestApp, nonce = 0n) {
  const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY, payment: { nonce } });
  const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
  expect(res.status).toBe(200);
  return { paymentId: res.headers.get('x-payment-id') as string, txid };
}

const job = (paymentId: string, txid: string, nonce = '0') => ({
  paymentId,
  txid,
  payer: PAYER,
  nonce,
  network: TESTNET,
});

describe('GET /payment-status/{paymentId}', () => {
  it('shows a delivered payment with its whole history', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    const res = await app.request(`/payment-status/${paymentId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      history: { status: string; at: string }[];
    };
    expect(body).toEqual({
      paymentId,
      status: 'mempool',
      txid: `0x${txid}`,
      payer: PAYER,
      route: 'POST /hashing/sha256',
      asset: 'STX',
      amount: '1000',
      network: TESTNET,
      delivery: 'mempool',
      delivered: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.any(String),
      checkStatusUrl: `http://api.test/payment-status/${paymentId}`,
      history: [
        { status: 'queued', at: expect.any(String) },
        { status: 'broadcasting', at: expect.any(String) },
        { status: 'mempool', at: expect.any(String) },
      ],
    });
  });

  it('follows the chain to confirmed, with the block height', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 42 });
    expect(
      await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000),
    ).toEqual({
      status: 'confirmed',
      terminal: true,
    });
    const body = (await (await app.request(`/payment-status/${paymentId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      status: 'confirmed',
      blockHeight: 42,
      confirmedAt: expect.any(String),
    });
    expect((body.history as { status: string }[]).map((h) => h.status)).toEqual([
      'queued',
      'broadcasting',
      'mempool',
      'confirmed',
    ]);
  });

  it('records an abort as failed, and marks the payer whose content was delivered', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    app.chain.txs.set(txid, { txStatus: 'abort_by_post_condition', blockHeight: 43 });
    expect(
      await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000),
    ).toEqual({ status: 'failed', terminal: true });
    const body = (await (await app.request(`/payment-status/${paymentId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({ status: 'failed', terminalReason: 'abort_by_post_condition' });
    expect(await getPayerFlag(env.DB, TESTNET, PAYER)).toEqual({
      paymentId,
      reason: 'failed: abort_by_post_condition',
      flaggedAt: expect.any(Number),
    });
  });

  it('calls a transaction whose nonce another transaction used replaced', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    app.chain.nonces.set(PAYER, 0);
    expect(
      await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000),
    ).toEqual({ status: 'replaced', terminal: true });
    expect(await (await app.request(`/payment-status/${paymentId}`)).json()).toMatchObject({
      status: 'replaced',
      terminalReason: 'the payer nonce was used by another transaction',
    });
    expect(await getPayerFlag(env.DB, TESTNET, PAYER)).toMatchObject({ paymentId });
  });

  it('maps a replace-by-fee drop to replaced', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    app.chain.txs.set(txid, { txStatus: 'dropped_replace_by_fee' });
    expect(
      await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000),
    ).toEqual({ status: 'replaced', terminal: true });
  });

  it('keeps following an unseen transaction until its deadline, then calls it not_found', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    const chain = new FakeChain();
    expect(await checkOnChain(env.DB, chain, job(paymentId, txid), Date.now() + 60_000)).toEqual({
      status: 'mempool',
      terminal: false,
    });
    chain.down = true;
    expect(await checkOnChain(env.DB, chain, job(paymentId, txid), Date.now() + 60_000)).toEqual({
      status: 'mempool',
      terminal: false,
    });
    expect(await checkOnChain(env.DB, chain, job(paymentId, txid), Date.now() - 1)).toEqual({
      status: 'not_found',
      terminal: true,
    });
    expect(await (await app.request(`/payment-status/${paymentId}`)).json()).toMatchObject({
      status: 'not_found',
      terminalReason: 'tracking deadline passed: the Stacks API answered 503',
    });
  });

  it('never moves a terminal payment again', async () => {
    const app = testApp();
    const { paymentId, txid } = await pay(app);
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 7 });
    await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000);
    app.chain.txs.set(txid, { txStatus: 'abort_by_response' });
    expect(
      await checkOnChain(env.DB, app.chain, job(paymentId, txid), Date.now() + 60_000),
    ).toEqual({ status: 'confirmed', terminal: true });
  });

  it('answers 404 for an unknown payment and 400 for something that is not a payment id', async () => {
    const { request } = testApp();
    const unknown = await request(`/payment-status/pay_${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      code: 'payment_not_found',
      message: `No payment pay_${'0'.repeat(32)} is known here; check the id from x-payment-id.`,
    });
    const malformed = await request('/payment-status/12345');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'invalid_request' });
  });
});
