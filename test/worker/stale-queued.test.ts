/**
 * A request that dies between its claim and its broadcast (the isolate evicted, the client gone
 * and the runtime cancelling, an exception) leaves its payment `queued`. A retry with the same
 * payment takes it over once it is older than STALE_QUEUED_MS, exactly once, and proceeds as the
 * dead request would have (issue 7, defect 2: no payer locked out).
 */
import { env } from 'cloudflare:workers';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { releaseClaimStatements } from '../../src/payment/ledger';
import { STALE_QUEUED_MS } from '../../src/payment/stale-queued';
import { defineRoute } from '../../src/routes/registry';
import { ledgerRows, paymentResponseOf, type TestApp, testApp } from './support/app';
import { signPaymentFor } from './support/paid-request';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };
const RESULT = {
  hash: '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
  algorithm: 'sha256',
  encoding: 'hex',
  inputLength: 11,
};
const ID = 'stale-queued_0123456789';
const WITH_ID = { extensions: { 'payment-identifier': { info: { id: ID } } } };
const TAKEN_OVER = 'taken over by a retry: the request that claimed it stopped before broadcasting';
const IN_PROGRESS = {
  code: 'payment_identifier_in_progress',
  message: 'This payment is being processed by another request; retry in a moment.',
};
const IN_PROGRESS_WITH_ID = {
  code: 'payment_identifier_in_progress',
  message:
    'A request with this payment-identifier is being processed; retry it in a moment (nothing was charged).',
};

const UPFRONT = '/test/stale-upfront';
let upfrontRuns = 0;
const upfrontRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: UPFRONT,
    summary: 'Upfront test route',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ data: z.string() }) } },
      },
    },
    responses: { 200: { description: 'Done' } },
  }),
  pricing: { tier: 'standard', order: 'upfront' },
  handler: (c) => {
    upfrontRuns += 1;
    return c.json({ stored: true }, 200);
  },
});

/** The next settle throws before anything is broadcast, as if the request died there. */
function dieOnceBeforeBroadcast(app: TestApp): void {
  app.settler.settle = async () => {
    Reflect.deleteProperty(app.settler, 'settle');
    throw new Error('the isolate was evicted before the broadcast');
  };
}

/** Leaves a `queued` payment as a request that died before its broadcast does: its id. */
async function deadRequest(app: TestApp, path: string, header: string): Promise<string> {
  dieOnceBeforeBroadcast(app);
  const dead = await app.post(path, BODY, { 'payment-signature': header });
  expect(dead.status).toBe(500);
  const rows = await ledgerRows();
  expect(rows).toMatchObject([{ status: 'queued', claim_active: 1, collectable: 0, served: 0 }]);
  return String(rows[0]?.payment_id);
}

/** The payment was claimed `ms` earlier than it was (D1 keeps unix ms). */
async function ageBy(paymentId: string, ms = STALE_QUEUED_MS): Promise<void> {
  await env.DB.prepare(
    'UPDATE payments SET created_at = created_at - ?, updated_at = updated_at - ? WHERE payment_id = ?',
  )
    .bind(ms, ms, paymentId)
    .run();
}

async function history(paymentId: string) {
  const { results } = await env.DB.prepare(
    'SELECT status, reason FROM payment_events WHERE payment_id = ? ORDER BY id',
  )
    .bind(paymentId)
    .all<{ status: string; reason: string | null }>();
  return results;
}

describe('a payment left queued by a request that died before its broadcast', () => {
  it('without a payment-identifier: a retry takes it over and broadcasts it as that payment', async () => {
    const app = testApp();
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);

    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(RESULT);
    expect(retry.headers.get('x-payment-id')).toBe(paymentId);
    expect(app.settler.settled.map((p) => [p.paymentId, p.txid])).toEqual([[paymentId, txid]]);
    expect(app.tracker.jobs.map((job) => job.paymentId)).toEqual([paymentId]);
    const rows = await ledgerRows();
    expect(rows).toMatchObject([
      { payment_id: paymentId, txid, status: 'mempool', claim_active: 1 },
    ]);
    expect(rows[0]?.delivered_at).toBeTypeOf('number');
    // Delivered once: the same payment again is a replay.
    const replay = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(replay.status).toBe(402);
    expect(await replay.json()).toMatchObject({ code: 'payment_already_used' });
    expect(app.settler.settled).toHaveLength(1);
  });

  it('with the same payment-identifier: the retry takes it over, and the answer is kept for the next', async () => {
    const app = testApp();
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY, payload: WITH_ID });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);

    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(RESULT);
    expect(retry.headers.get('x-payment-id')).toBe(paymentId);
    expect(app.settler.settled.map((p) => [p.paymentId, p.txid])).toEqual([[paymentId, txid]]);
    // An idempotent retry gets the same answer again and pays nothing new.
    const again = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(RESULT);
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toMatchObject([{ payment_id: paymentId, status: 'mempool' }]);
  });

  it('a fresh one is not taken over: in progress by its identifier, single-use without', async () => {
    const app = testApp();
    const plain = await signPaymentFor(app, ROUTE, { body: BODY });
    const plainId = await deadRequest(app, ROUTE, plain.header);
    // Without an identifier a copy of a request still being answered is refused as before
    // (settlement.test.ts); sent again past the bound, it takes the payment over.
    const res = await app.post(ROUTE, BODY, { 'payment-signature': plain.header });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'payment_already_used' });

    const identified = await signPaymentFor(app, ROUTE, {
      body: BODY,
      payment: { nonce: 1n },
      payload: WITH_ID,
    });
    dieOnceBeforeBroadcast(app);
    expect((await app.post(ROUTE, BODY, { 'payment-signature': identified.header })).status).toBe(
      500,
    );
    const withId = await app.post(ROUTE, BODY, { 'payment-signature': identified.header });
    expect(withId.status).toBe(409);
    expect(withId.headers.get('retry-after')).toBe('1');
    expect(await withId.json()).toEqual(IN_PROGRESS_WITH_ID);

    expect(app.settler.settled).toHaveLength(0);
    expect(
      (await ledgerRows()).map((row) => [row.status, row.updated_at === row.created_at]),
    ).toEqual([
      ['queued', true],
      ['queued', true],
    ]);
    expect(await history(plainId)).toEqual([{ status: 'queued', reason: null }]);
  });

  it('is not taken over while the Stacks API cannot say whether its transaction is on chain', async () => {
    const app = testApp();
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    app.chain.down = true;
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(IN_PROGRESS);
    expect(app.settler.settled).toHaveLength(0);
    expect(await history(paymentId)).toEqual([{ status: 'queued', reason: null }]);
    app.chain.down = false;
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(200);
    expect(app.settler.settled).toHaveLength(1);
  });

  it('of 10 concurrent retries exactly one takes it over: one broadcast, one 200, nine in progress', async () => {
    const app = testApp();
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    // The winner's broadcast waits until the nine others are answered, whatever the interleaving.
    let answered = 0;
    let othersAnswered = () => {};
    const othersDone = new Promise<void>((resolve) => {
      othersAnswered = resolve;
    });
    const settle = app.settler.settle.bind(app.settler);
    app.settler.settle = async (payment) => {
      await othersDone;
      return settle(payment);
    };
    const responses = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
        answered += 1;
        if (answered === 9) othersAnswered();
        return {
          status: res.status,
          body: await res.json(),
          retryAfter: res.headers.get('retry-after'),
        };
      }),
    );
    expect(responses.filter((r) => r.status === 200).map((r) => r.body)).toEqual([RESULT]);
    expect(responses.filter((r) => r.status !== 200)).toEqual(
      Array.from({ length: 9 }, () => ({ status: 409, body: IN_PROGRESS, retryAfter: '1' })),
    );
    expect(app.settler.settled.map((p) => p.paymentId)).toEqual([paymentId]);
    expect(await ledgerRows()).toMatchObject([{ payment_id: paymentId, status: 'mempool' }]);
    expect(await history(paymentId)).toEqual([
      { status: 'queued', reason: null },
      { status: 'queued', reason: TAKEN_OVER },
      { status: 'broadcasting', reason: null },
      { status: 'mempool', reason: null },
    ]);
  });

  it('upfront order: the retry settles it, then runs the handler once', async () => {
    const app = testApp([upfrontRoute]);
    const { header } = await signPaymentFor(app, UPFRONT, { body: BODY });
    const before = upfrontRuns;
    const paymentId = await deadRequest(app, UPFRONT, header);
    expect(upfrontRuns).toBe(before);
    await ageBy(paymentId);
    const retry = await app.post(UPFRONT, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ stored: true });
    expect(upfrontRuns).toBe(before + 1);
    expect(app.settler.settled.map((p) => p.paymentId)).toEqual([paymentId]);
    expect(await ledgerRows()).toMatchObject([
      { payment_id: paymentId, status: 'mempool', served: 1 },
    ]);
  });

  it('upfront order, on chain already: adopted, then the handler runs once', async () => {
    const app = testApp([upfrontRoute]);
    const { header, txid } = await signPaymentFor(app, UPFRONT, { body: BODY });
    const paymentId = await deadRequest(app, UPFRONT, header);
    await ageBy(paymentId);
    app.chain.txs.set(txid, { txStatus: 'pending' });
    const before = upfrontRuns;
    const retry = await app.post(UPFRONT, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ stored: true });
    expect(upfrontRuns).toBe(before + 1);
    expect(app.settler.settled).toHaveLength(0);
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ payment_id: paymentId, status: 'mempool', served: 1 });
    expect(row?.delivered_at).toBeTypeOf('number');
  });

  it('whose transaction the chain has aborted: adopted as failed, withheld, not broadcast again', async () => {
    const app = testApp();
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY, payload: WITH_ID });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    app.chain.txs.set(txid, { txStatus: 'abort_by_response', blockHeight: 5 });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(402);
    expect(await retry.json()).toMatchObject({ code: 'transaction_failed' });
    expect(paymentResponseOf(retry)).toMatchObject({
      success: false,
      errorReason: 'transaction_failed',
      transaction: `0x${txid}`,
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toMatchObject([
      { payment_id: paymentId, status: 'failed', terminal_reason: 'abort_by_response' },
    ]);
    // The identifier is free again for a payment that can be made.
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM payment_identifiers').first('n')).toBe(
      0,
    );
  });

  it('whose transaction the chain has in its mempool already: adopted, not broadcast again', async () => {
    const app = testApp();
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    // The dead request had broadcast it, then died before writing so.
    app.chain.txs.set(txid, { txStatus: 'pending' });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(RESULT);
    expect(retry.headers.get('x-payment-id')).toBe(paymentId);
    expect(app.settler.settled).toHaveLength(0);
    expect(app.tracker.jobs.map((job) => job.paymentId)).toEqual([paymentId]);
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ status: 'mempool', claim_active: 1, collectable: 1 });
    expect(row?.delivered_at).toBeTypeOf('number');
    expect(await history(paymentId)).toEqual([
      { status: 'queued', reason: null },
      {
        status: 'queued',
        reason: `${TAKEN_OVER}; the chain has its transaction already (pending), so it is not broadcast again`,
      },
      { status: 'broadcasting', reason: null },
      { status: 'mempool', reason: 'seen in the mempool' },
    ]);
  });

  it('whose transaction the chain has confirmed already: adopted as confirmed, not broadcast again', async () => {
    const app = testApp();
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY, payload: WITH_ID });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 9 });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(RESULT);
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toMatchObject([
      { payment_id: paymentId, status: 'confirmed', block_height: 9, claim_active: 1 },
    ]);
    expect((await history(paymentId)).map((event) => event.status)).toEqual([
      'queued',
      'queued',
      'broadcasting',
      'confirmed',
    ]);
  });

  it('shows the takeover, with its reason, in GET /payment-status', async () => {
    const app = testApp();
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    expect((await app.post(ROUTE, BODY, { 'payment-signature': header })).status).toBe(200);
    const status = await app.request(`/payment-status/${paymentId}`);
    expect(status.status).toBe(200);
    const body = (await status.json()) as {
      status: string;
      history: { status: string; reason?: string }[];
    };
    expect(body.status).toBe('mempool');
    expect(body.history.map(({ status, reason }) => ({ status, reason }))).toEqual([
      { status: 'queued', reason: undefined },
      { status: 'queued', reason: TAKEN_OVER },
      { status: 'broadcasting', reason: undefined },
      { status: 'mempool', reason: undefined },
    ]);
  });

  it('cannot be released by the request it was taken from, should that one wake up', async () => {
    const app = testApp();
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY });
    const paymentId = await deadRequest(app, ROUTE, header);
    await ageBy(paymentId);
    const [row] = await ledgerRows();
    const originalClaim = Number(row?.updated_at);
    const settle = app.settler.settle.bind(app.settler);
    app.settler.settle = async (payment) => {
      // The original request, slower than the bound rather than dead, gives up its claim now.
      await env.DB.batch(releaseClaimStatements(env.DB, paymentId, originalClaim));
      return settle(payment);
    };
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(retry.status).toBe(200);
    expect(await ledgerRows()).toMatchObject([{ payment_id: paymentId, status: 'mempool' }]);
    expect((await history(paymentId)).map((event) => event.status)).toEqual([
      'queued',
      'queued',
      'broadcasting',
      'mempool',
    ]);
  });
});
