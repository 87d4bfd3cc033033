/**
 * Single use, order of operations and settlement outcomes (DESIGN sections 4.8 and 5), through
 * the real app, the real D1 ledger and a fake settler.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/encoding/hex';
import { defineRoute, STANDARD } from '../../src/routes/registry';
import {
  ledgerRows,
  paymentRequiredOf,
  paymentResponseOf,
  type TestApp,
  testApp,
} from './support/app';
import { signPaymentFor } from './support/paid-request';
import { PAY_TO, PAYER, type PaymentOptions, TESTNET } from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };
const HELLO_SHA256 = '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';

const signedHeader = (app: TestApp, payment: PaymentOptions = {}, path = ROUTE) =>
  signPaymentFor(app, path, { body: BODY, payment });

describe('a valid payment', () => {
  it.each([
    ['STX', 'STX', '1000'],
    ['sBTC', 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token', '2'],
    ['USDCx', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx', '1000'],
  ] as const)(
    'in %s is settled once and answered with the result and a receipt',
    async (token, asset, amount) => {
      const app = testApp();
      const { header, txid } = await signedHeader(app, { token });
      const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        hash: HELLO_SHA256,
        algorithm: 'sha256',
        encoding: 'hex',
        inputLength: 11,
      });
      const paymentId = res.headers.get('x-payment-id');
      expect(paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
      const statusUrl = `http://api.test/payment-status/${paymentId}`;
      expect(paymentResponseOf(res)).toEqual({
        success: true,
        payer: PAYER,
        transaction: `0x${txid}`,
        network: TESTNET,
        extensions: { 'payment-status': { paymentId, checkStatusUrl: statusUrl } },
      });
      expect(res.headers.get('x-payment-status-url')).toBe(statusUrl);
      expect(res.headers.get('x-payer-address')).toBe(PAYER);
      expect(app.settler.settled.map((p) => p.txid)).toEqual([txid]);
      const [row] = await ledgerRows();
      expect(row).toMatchObject({
        payment_id: paymentId,
        txid,
        network: TESTNET,
        payer: PAYER,
        nonce: '0',
        route: 'POST /hashing/sha256',
        token,
        asset,
        amount,
        price: amount,
        pay_to: PAY_TO,
        settle_order: 'authorization',
        delivery: 'mempool',
        status: 'mempool',
        claim_active: 1,
        terminal_reason: null,
        served: 0,
        collectable: 0,
        owed_amount: null,
      });
      expect(row.settled_at).toBeTypeOf('number');
      expect(row.delivered_at).toBe(row.settled_at);
      // Handed to the tracker, to be followed to a terminal status.
      expect(app.tracker.jobs).toEqual([
        {
          paymentId,
          txid,
          payer: PAYER,
          nonce: '0',
          network: TESTNET,
          deadline: expect.any(Number),
          // The signed bytes, for the tracker to broadcast again while the outcome is unknown.
          transaction: bytesToHex(app.settler.settled[0]?.transaction ?? new Uint8Array()),
        },
      ]);
      expect(app.tracker.jobs[0]?.transaction).toMatch(/^8080000000/);
      // Followed for TRACKING_DEADLINE_SECONDS (default one hour) from the broadcast.
      const followFor = app.tracker.jobs[0].deadline - (row.settled_at as number);
      expect(followFor).toBeGreaterThan(3_600_000 - 5_000);
      expect(followFor).toBeLessThanOrEqual(3_600_000);
    },
  );

  it('is also read from the legacy x-payment header, and records an overpayment as paid', async () => {
    const app = testApp();
    const { header } = await signedHeader(app, { amount: 1500n });
    const res = await app.post(ROUTE, BODY, { 'x-payment': header });
    expect(res.status).toBe(200);
    expect(await ledgerRows()).toMatchObject([{ amount: '1500', price: '1000' }]);
  });
});

describe('single use', () => {
  it('never answers a replayed payment twice, on the same route or another', async () => {
    const app = testApp();
    const { header } = await signedHeader(app);
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(200);
    const replay = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(replay.status).toBe(402);
    expect(await replay.json()).toMatchObject({ code: 'payment_already_used' });
    // The same requirement is offered by every standard route, so try the payment elsewhere too.
    const elsewhere = await app.post('/hashing/sha512', BODY, { 'payment-signature': header });
    expect(elsewhere.status).toBe(402);
    expect(paymentRequiredOf(elsewhere).error).toBe('payment_already_used');
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toHaveLength(1);
  });

  it('refuses another transaction with the same payer nonce (e.g. re-signed with a new fee)', async () => {
    const app = testApp();
    const first = await signedHeader(app, { fee: 500n });
    const second = await signedHeader(app, { fee: 600n });
    expect(first.txid).not.toBe(second.txid);
    expect((await app.post(ROUTE, BODY, { 'payment-signature': first.header })).status).toBe(200);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': second.header });
    expect(await res.json()).toMatchObject({ code: 'payment_already_used' });
    expect(app.settler.settled).toHaveLength(1);
  });

  it('gives exactly one 200 when many requests carry one payment at once', async () => {
    const app = testApp();
    const { header } = await signedHeader(app);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.post(ROUTE, BODY, { 'payment-signature': header })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 402, 402, 402, 402, 402, 402, 402, 402, 402]);
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toHaveLength(1);
  });
});

const failingRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/test/unprocessable',
    summary: 'Always fails after validation',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ data: z.string() }) } },
      },
    },
    responses: { 422: { description: 'Fails' } },
  }),
  pricing: STANDARD,
  handler: (c) =>
    c.json({ code: 'cannot_process', message: 'This input cannot be processed.' }, 422),
});

describe('the authorization order', () => {
  it('settles nothing when the handler answers 4xx, and releases the claim for later use', async () => {
    const app = testApp([failingRoute]);
    const { header } = await signedHeader(app, {}, '/test/unprocessable');
    const failed = await app.post('/test/unprocessable', BODY, { 'payment-signature': header });
    expect(failed.status).toBe(422);
    expect(failed.headers.get('payment-response')).toBeNull();
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    // The same payment still buys something that succeeds.
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(200);
    expect(app.settler.settled).toHaveLength(1);
  });

  it('charges nothing for a 400 even with a valid payment attached', async () => {
    const app = testApp();
    const { header } = await signedHeader(app);
    const res = await app.post(ROUTE, { data: 42 }, { 'payment-signature': header });
    expect(res.status).toBe(400);
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
  });

  it('withholds the content when the node rejects the transaction, and frees the txid and nonce', async () => {
    const app = testApp();
    app.settler.answer({ type: 'rejected', code: 'insufficient_funds', detail: 'NotEnoughFunds' });
    const { header, txid } = await signedHeader(app);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(res.status).toBe(402);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.hash).toBeUndefined();
    expect(body.code).toBe('insufficient_funds');
    const [row] = await ledgerRows();
    expect(paymentResponseOf(res)).toEqual({
      success: false,
      errorReason: 'insufficient_funds',
      payer: PAYER,
      transaction: `0x${txid}`,
      network: TESTNET,
      extensions: {
        'payment-status': {
          paymentId: row.payment_id,
          checkStatusUrl: `http://api.test/payment-status/${row.payment_id}`,
        },
      },
    });
    expect(res.headers.get('x-payment-id')).toBeNull();
    // Kept with its history, but no longer a claim: nothing was spent.
    expect(row).toMatchObject({
      status: 'failed',
      terminal_reason: 'insufficient_funds',
      claim_active: 0,
    });
    expect(app.tracker.jobs).toEqual([]);
    // Once the payer has funds, the same transaction can pay.
    app.settler.answer({ type: 'settled', txid });
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(200);
  });

  it('answers 202 when settlement times out, tracks the payment, and lets the retry collect it', async () => {
    const app = testApp();
    app.settler.answer({ type: 'unknown', code: 'unexpected_settle_error', detail: 'timed out' });
    const { header, txid } = await signedHeader(app);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
    // Never a fresh 402: that would invite paying twice.
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    const paymentId = res.headers.get('x-payment-id');
    expect(body).toEqual({
      code: 'payment_pending',
      message:
        'The settlement outcome is not known yet (timed out); the payment is being tracked. Retry the same request with the same payment-signature to collect the result (no second charge), or poll checkStatusUrl.',
      paymentId,
      status: 'broadcasting',
      checkStatusUrl: `http://api.test/payment-status/${paymentId}`,
      retryAfterSeconds: 5,
    });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await ledgerRows()).toMatchObject([
      { txid, status: 'broadcasting', collectable: 1, delivered_at: null },
    ]);
    expect(app.tracker.jobs.map((job) => job.txid)).toEqual([txid]);

    // Still unseen, and the node still does not answer: the retry sends the same bytes again (one
    // txid: it can be charged once at most) and is answered 202 again.
    const early = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(early.status).toBe(202);
    expect(app.settler.settled.map((p) => p.txid)).toEqual([txid, txid]);
    // The node did take it: the retry collects the stored result, once, without a broadcast.
    app.chain.txs.set(txid, { txStatus: 'pending' });
    const collected = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(collected.status).toBe(200);
    expect(await collected.json()).toEqual({
      hash: HELLO_SHA256,
      algorithm: 'sha256',
      encoding: 'hex',
      inputLength: 11,
    });
    expect(collected.headers.get('x-payment-id')).toBe(paymentId);
    const again = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(await again.json()).toMatchObject({ code: 'payment_already_used' });
    expect(app.settler.settled).toHaveLength(2);
  });

  it('re-broadcasts the same transaction on a retry after a hang, and delivers once the node takes it', async () => {
    const app = testApp();
    app.settler.answer({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the node hung',
    });
    const { header, txid } = await signedHeader(app);
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(202);
    app.settler.answer({ type: 'settled', txid });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ hash: HELLO_SHA256 });
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ txid, status: 'mempool' });
    expect(app.settler.settled.map((p) => p.txid)).toEqual([txid, txid]);
  });
});
