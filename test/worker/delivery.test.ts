/**
 * Confirmed delivery, collecting after a 202, marked payers and the upfront order (DESIGN
 * section 5), through the real app and ledger with a scripted chain.
 */

import { env } from 'cloudflare:workers';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { flagPayer } from '../../src/payment/payer-flags';
import { defineRoute } from '../../src/routes/registry';
import { ledgerRows, paymentResponseOf, type TestApp, testApp } from './support/app';
import { signPaymentFor } from './support/paid-request';
import { PAYER, TESTNET } from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };
const RESULT = {
  hash: '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
  algorithm: 'sha256',
  encoding: 'hex',
  inputLength: 11,
};
/** Confirmed delivery with no waiting: the first answer is always a 202. */
const CONFIRMED = { ...env, DELIVERY_MODE: 'confirmed', CONFIRMATION_WAIT_SECONDS: '0' } as Env;

const header = (app: TestApp, path = ROUTE, nonce = 0n, bindings: Env = env) =>
  signPaymentFor(app, path, { body: BODY, bindings, payment: { nonce } });

describe('confirmed delivery', () => {
  it('answers 202 past the wait, then the retry with the same payment collects the result once', async () => {
    const app = testApp();
    const { header: signature, txid } = await header(app, ROUTE, 0n, CONFIRMED);
    const first = await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED);
    expect(first.status).toBe(202);
    const pending = (await first.json()) as Record<string, unknown>;
    expect(pending).toMatchObject({ code: 'payment_pending', status: 'mempool' });
    expect(pending.message).toBe(
      'The payment is mempool. This route delivers once the payment is confirmed. Retry the same request with the same payment-signature to collect the result (no second charge), or poll checkStatusUrl.',
    );
    // The payment is in the mempool but not confirmed: still 202.
    app.chain.txs.set(txid, { txStatus: 'pending' });
    expect(
      (await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED)).status,
    ).toBe(202);
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 12 });
    const collected = await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED);
    expect(collected.status).toBe(200);
    expect(await collected.json()).toEqual(RESULT);
    expect(collected.headers.get('x-payment-id')).toBe(pending.paymentId);
    expect(paymentResponseOf(collected)).toMatchObject({
      success: true,
      payer: PAYER,
      transaction: `0x${txid}`,
    });
    const replay = await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED);
    expect(await replay.json()).toMatchObject({ code: 'payment_already_used' });
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toMatchObject([
      { status: 'confirmed', block_height: 12, delivery: 'confirmed' },
    ]);
  });

  it('delivers at once when the payment confirms within the wait', async () => {
    const app = testApp();
    const waiting = { ...env, DELIVERY_MODE: 'confirmed', CONFIRMATION_WAIT_SECONDS: '5' } as Env;
    const { header: signature, txid } = await header(app, ROUTE, 0n, waiting);
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 3 });
    const res = await app.post(ROUTE, BODY, { 'payment-signature': signature }, waiting);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(RESULT);
  });

  it('withholds the result for good when the payment fails on chain', async () => {
    const app = testApp();
    const { header: signature, txid } = await header(app, ROUTE, 0n, CONFIRMED);
    expect(
      (await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED)).status,
    ).toBe(202);
    app.chain.txs.set(txid, { txStatus: 'abort_by_response', blockHeight: 4 });
    const res = await app.post(ROUTE, BODY, { 'payment-signature': signature }, CONFIRMED);
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'transaction_failed' });
    expect(paymentResponseOf(res)).toMatchObject({
      success: false,
      errorReason: 'transaction_failed',
    });
  });

  it('is forced for a payer whose delivered payment was lost, and the answer says why', async () => {
    const app = testApp();
    await flagPayer(env.DB, {
      network: TESTNET,
      payer: PAYER,
      paymentId: 'pay_lost',
      reason: 'replaced: dropped_replace_by_fee',
    });
    const lenient = { ...env, CONFIRMATION_WAIT_SECONDS: '0' } as Env;
    const { header: signature } = await header(app, ROUTE, 0n, lenient);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': signature }, lenient);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { message: string }).message).toContain(
      'This payer is served on confirmed payments only, since payment pay_lost ended replaced: dropped_replace_by_fee.',
    );
    expect(await ledgerRows()).toMatchObject([{ delivery: 'confirmed', delivered_at: null }]);
  });
});

let upfrontRuns = 0;
const upfrontRoute = (path: string, status: 200 | 500) =>
  defineRoute({
    route: createRoute({
      method: 'post',
      path,
      summary: `Upfront test route answering ${status}`,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ data: z.string() }) } },
        },
      },
      responses: { 200: { description: 'Done' }, 500: { description: 'Broken' } },
    }),
    pricing: { tier: 'standard', order: 'upfront' },
    handler: (c) => {
      upfrontRuns += 1;
      return status === 200
        ? c.json({ stored: true }, 200)
        : c.json({ code: 'store_down', message: 'The store is down.' }, 500);
    },
  });

describe('the upfront order', () => {
  it('settles first and runs the side effect exactly once, even for concurrent copies', async () => {
    const app = testApp([upfrontRoute('/test/store', 200)]);
    upfrontRuns = 0;
    const { header: signature } = await header(app, '/test/store');
    const responses = await Promise.all(
      [1, 2, 3].map(() => app.post('/test/store', BODY, { 'payment-signature': signature })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 402, 402]);
    expect(upfrontRuns).toBe(1);
    expect(app.settler.settled).toHaveLength(1);
  });

  it('records the amount as owed when the handler fails after settlement', async () => {
    const app = testApp([upfrontRoute('/test/broken', 500)]);
    const { header: signature } = await header(app, '/test/broken');
    const res = await app.post('/test/broken', BODY, { 'payment-signature': signature });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 'store_down', message: 'The store is down.' });
    // Charged: the receipt says so, and the ledger owes the payer the amount.
    const paymentId = res.headers.get('x-payment-id') as string;
    expect(paymentResponseOf(res)).toMatchObject({ success: true, payer: PAYER });
    const status = await (await app.request(`/payment-status/${paymentId}`)).json();
    expect(status).toMatchObject({ status: 'mempool', owedAmount: '1000', delivered: true });
  });

  it('settles nothing and runs nothing when the node rejects the payment', async () => {
    const app = testApp([upfrontRoute('/test/store', 200)]);
    upfrontRuns = 0;
    app.settler.answer({ type: 'rejected', code: 'client_bad_nonce', detail: 'BadNonce' });
    const { header: signature } = await header(app, '/test/store');
    const res = await app.post('/test/store', BODY, { 'payment-signature': signature });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'client_bad_nonce' });
    expect(upfrontRuns).toBe(0);
  });
});
