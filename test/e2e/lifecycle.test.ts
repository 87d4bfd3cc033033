/**
 * Money safety end to end (issue 3): the devnet and `wrangler dev` as separate processes, real
 * signed transactions, devnet faults, and the Worker's own tracker Durable Object.
 */
import { makeSTXTokenTransfer, serializeTransactionBytes } from '@stacks/transactions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDevnetAccount } from '../../devnet/accounts';
import { decodeBase64Json } from '../../src/payment/header-codec';
import type { SettlementResponse } from '../../src/payment/protocol';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import {
  armFault,
  balanceOf,
  HELLO_WORLD_SHA256,
  paymentStatus,
  postJson,
  requirementFor,
  signPayment,
  waitForPaymentStatus,
} from './helpers';

const BODY = { data: 'hello world' };
let devnet: RunningProcess;
let worker: WorkerProcess;
let confirmedWorker: WorkerProcess;
let facilitatorWorker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  [worker, confirmedWorker, facilitatorWorker] = await Promise.all([
    startWorkerProcess({
      main: 'test/e2e/fixtures/worker-with-test-routes.ts',
      vars: {
        STACKS_API_URL: devnet.url,
        BROADCAST_TIMEOUT_SECONDS: '2',
        CONFIRMATION_WAIT_SECONDS: '1',
      },
    }),
    startWorkerProcess({
      vars: {
        STACKS_API_URL: devnet.url,
        DELIVERY_MODE: 'confirmed',
        CONFIRMATION_WAIT_SECONDS: '1',
      },
    }),
    // The devnet also serves the x402 facilitator API (/verify, /settle, /supported).
    startWorkerProcess({
      vars: {
        STACKS_API_URL: devnet.url,
        SETTLEMENT_MODE: 'facilitator',
        FACILITATOR_URL: devnet.url,
      },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), confirmedWorker?.stop(), facilitatorWorker?.stop()]);
  await devnet?.stop();
});

const sha256 = () => `${worker.url}/hashing/sha256`;
const receiptOf = (res: Response) => {
  const decoded = decodeBase64Json(res.headers.get('payment-response') ?? '');
  return decoded.ok ? (decoded.value as SettlementResponse) : undefined;
};

describe('the payment lifecycle on the devnet', () => {
  it('goes mempool -> confirmed, and /payment-status shows the history', async () => {
    const payment = await signPayment(devnet.url, 'wallet_1', await requirementFor(sha256(), BODY));
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    const paymentId = res.headers.get('x-payment-id') as string;
    expect(res.headers.get('x-payment-status-url')).toBe(
      `${worker.url}/payment-status/${paymentId}`,
    );
    const confirmed = await waitForPaymentStatus(
      worker.url,
      paymentId,
      (s) => s.status === 'confirmed',
    );
    expect(confirmed).toMatchObject({
      txid: payment.txid,
      payer: payment.payer,
      amount: '1000',
      asset: 'STX',
      delivered: true,
    });
    expect(confirmed.blockHeight).toBeGreaterThan(0);
    expect(confirmed.history.map((h) => h.status)).toEqual([
      'queued',
      'broadcasting',
      'mempool',
      'confirmed',
    ]);
  });

  it('follows a delivered transaction that gets replaced to `replaced`, and then serves its payer on confirmation only', async () => {
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 1000 });
    const payment = await signPayment(devnet.url, 'wallet_5', await requirementFor(sha256(), BODY));
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    const paymentId = res.headers.get('x-payment-id') as string;
    // The payer got the content, then spends the same nonce elsewhere with a higher fee.
    const { privateKey } = await getDevnetAccount('wallet_5');
    const sneaky = await makeSTXTokenTransfer({
      recipient: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
      amount: 1n,
      senderKey: privateKey,
      network: 'testnet',
      nonce: payment.nonce,
      fee: 5000n,
    });
    const broadcast = await fetch(`${devnet.url}/v2/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(serializeTransactionBytes(sneaky)),
    });
    expect(broadcast.status).toBe(200);
    const replaced = await waitForPaymentStatus(
      worker.url,
      paymentId,
      (s) => s.status === 'replaced',
    );
    expect(replaced.terminalReason).toBe('dropped_replace_by_fee');

    // The payer is marked: its next payment is delivered only once confirmed (here: 202 first).
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 4 });
    const next = await signPayment(devnet.url, 'wallet_5', await requirementFor(sha256(), BODY));
    const pending = await postJson(sha256(), BODY, { 'payment-signature': next.header });
    expect(pending.status).toBe(202);
    const body = (await pending.json()) as { message: string; paymentId: string };
    expect(body.message).toContain(
      `This payer is served on confirmed payments only, since payment ${paymentId} ended replaced`,
    );
    await waitForPaymentStatus(worker.url, body.paymentId, (s) => s.status === 'confirmed');
    const collected = await postJson(sha256(), BODY, { 'payment-signature': next.header });
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
  });

  it('withholds the content when the node rejects the broadcast, and charges nothing', async () => {
    const payment = await signPayment(devnet.url, 'wallet_2', await requirementFor(sha256(), BODY));
    const before = await balanceOf(devnet.url, payment.payer, 'STX');
    await armFault(devnet.url, {
      kind: 'reject-broadcast',
      reason: 'NotEnoughFunds',
      reasonData: { expected: '0x10', actual: '0x1' },
    });
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(402);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.hash).toBeUndefined();
    expect(body.code).toBe('insufficient_funds');
    expect(receiptOf(res)).toMatchObject({
      success: false,
      errorReason: 'insufficient_funds',
      transaction: payment.txid,
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await balanceOf(devnet.url, payment.payer, 'STX')).toBe(before);
  });

  it('tracks a payment whose broadcast hangs, and a retry neither charges twice nor loses it', async () => {
    const payment = await signPayment(devnet.url, 'wallet_3', await requirementFor(sha256(), BODY));
    const before = await balanceOf(devnet.url, payment.payer, 'STX');
    await armFault(devnet.url, { kind: 'hang-broadcast' });
    const first = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(first.status).toBe(202);
    const pending = (await first.json()) as {
      paymentId: string;
      status: string;
      checkStatusUrl: string;
    };
    expect(pending).toMatchObject({
      status: 'broadcasting',
      checkStatusUrl: `${worker.url}/payment-status/${pending.paymentId}`,
    });
    // The client retries the same request with the same payment: the Worker sends the same bytes again.
    const retry = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    expect(retry.headers.get('x-payment-id')).toBe(pending.paymentId);
    const again = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(again.status).toBe(402);
    await waitForPaymentStatus(worker.url, pending.paymentId, (s) => s.status === 'confirmed');
    expect(before - (await balanceOf(devnet.url, payment.payer, 'STX'))).toBe(1000n + 400n);
  });

  it('answers 202 past the confirmation bound in confirmed mode, and the retry collects', async () => {
    const url = `${confirmedWorker.url}/hashing/sha256`;
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 6 });
    const payment = await signPayment(devnet.url, 'wallet_4', await requirementFor(url, BODY));
    const first = await postJson(url, BODY, { 'payment-signature': payment.header });
    expect(first.status).toBe(202);
    const pending = (await first.json()) as { paymentId: string; status: string };
    expect(pending.status).toBe('mempool');
    await waitForPaymentStatus(
      confirmedWorker.url,
      pending.paymentId,
      (s) => s.status === 'confirmed',
    );
    const collected = await postJson(url, BODY, { 'payment-signature': payment.header });
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    expect(receiptOf(collected)).toMatchObject({ success: true, transaction: payment.txid });
    expect((await postJson(url, BODY, { 'payment-signature': payment.header })).status).toBe(402);
  });

  it('returns the same body for an idempotent retry, and 409 for the same id on another request', async () => {
    const id = 'e2e-idempotency-key-0001';
    const payment = await signPayment(
      devnet.url,
      'wallet_6',
      await requirementFor(sha256(), BODY),
      { paymentIdentifier: id },
    );
    const first = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    const retry = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstBody);
    const other = { data: 'another request' };
    const conflicting = await signPayment(
      devnet.url,
      'wallet_6',
      await requirementFor(sha256(), other),
      {
        paymentIdentifier: id,
        nonce: payment.nonce + 1n,
      },
    );
    const res = await postJson(sha256(), other, { 'payment-signature': conflicting.header });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'payment_identifier_conflict' });
  });

  it('gives exactly one 200 to 20 concurrent requests carrying one payment, and moves the price once', async () => {
    const payment = await signPayment(devnet.url, 'wallet_7', await requirementFor(sha256(), BODY));
    const payerBefore = await balanceOf(devnet.url, payment.payer, 'STX');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        postJson(sha256(), BODY, { 'payment-signature': payment.header }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(402)]);
    for (const res of responses.filter((r) => r.status === 402)) {
      expect(await res.json()).toMatchObject({ code: 'payment_already_used' });
    }
    const paymentId = responses
      .find((r) => r.status === 200)
      ?.headers.get('x-payment-id') as string;
    await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'confirmed');
    // Charged once: the price and one fee, nothing more.
    expect(payerBefore - (await balanceOf(devnet.url, payment.payer, 'STX'))).toBe(1000n + 400n);
    expect(await paymentStatus(worker.url, paymentId)).toMatchObject({
      amount: '1000',
      delivered: true,
    });
  });

  it('records the amount as owed when an upfront handler fails after settlement', async () => {
    const url = `${worker.url}/test/fails-after-payment`;
    const payment = await signPayment(devnet.url, 'deployer', await requirementFor(url, BODY));
    const res = await postJson(url, BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      code: 'store_unavailable',
      message: 'The store is unavailable.',
    });
    expect(receiptOf(res)).toMatchObject({ success: true, transaction: payment.txid });
    const status = await waitForPaymentStatus(
      worker.url,
      res.headers.get('x-payment-id') as string,
      (s) => s.status === 'confirmed',
    );
    expect(status).toMatchObject({ owedAmount: '1000', delivered: true });
  });

  it('pays for a hash through the facilitator path, in sBTC', async () => {
    const url = `${facilitatorWorker.url}/hashing/sha256`;
    const payment = await signPayment(
      devnet.url,
      'wallet_6',
      await requirementFor(url, BODY, 'sBTC'),
    );
    const before = await balanceOf(devnet.url, payment.payer, 'sBTC');
    const res = await postJson(url, BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    expect(receiptOf(res)).toMatchObject({
      success: true,
      payer: payment.payer,
      transaction: payment.txid,
    });
    await waitForPaymentStatus(
      facilitatorWorker.url,
      res.headers.get('x-payment-id') as string,
      (s) => s.status === 'confirmed',
    );
    expect(before - (await balanceOf(devnet.url, payment.payer, 'sBTC'))).toBe(2n);
  });

  it('withholds the content when the facilitator refuses, and treats its 5xx as unknown (202)', async () => {
    const url = `${facilitatorWorker.url}/hashing/sha256`;
    await armFault(devnet.url, { kind: 'reject-settle', errorReason: 'insufficient_funds' });
    const refused = await signPayment(devnet.url, 'wallet_1', await requirementFor(url, BODY));
    const res = await postJson(url, BODY, { 'payment-signature': refused.header });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'insufficient_funds' });
    await armFault(devnet.url, { kind: 'broadcast-http-error', status: 503 });
    const unknown = await signPayment(devnet.url, 'wallet_1', await requirementFor(url, BODY));
    const pending = await postJson(url, BODY, { 'payment-signature': unknown.header });
    expect(pending.status).toBe(202);
    expect(await pending.json()).toMatchObject({ code: 'payment_pending', status: 'broadcasting' });
    // The retry settles the same transaction (the facilitator answers now) and collects.
    const collected = await postJson(url, BODY, { 'payment-signature': unknown.header });
    expect(collected.status).toBe(200);
  });
});
