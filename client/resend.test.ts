/**
 * After `202 payment_pending` with status `broadcasting`, the server's broadcast had an unknown
 * outcome (a node 5xx or a hang), and only a request with the same `payment-signature` makes it
 * broadcast the stored transaction again. So while waiting, the client sends the very same request
 * again on every poll that finds the payment `broadcasting` (or cannot read its status), never
 * signing again, until an answer other than 202 or `409 payment_identifier_in_progress`, or the
 * delivery deadline.
 */
import { describe, expect, it } from 'vitest';
import type { PaidRequestResend } from './client-api';
import type { PaymentStatusReport } from './payment-status';
import {
  type FakeReply,
  pendingReply,
  type RecordedRequest,
  routeOf,
  statusReport,
} from './test-support/fake-paid-api';
import {
  deliveredReply,
  expectResponse,
  PAYMENT_ID,
  STACKS_READS,
  transactionOf,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';
import { stuckBroadcast } from './test-support/stuck-broadcast';

const harness = useClientHarness();
const STATUS_PATH = `/payment-status/${PAYMENT_ID}`;
const PAID = 'POST /hashing/sha256 (paid)';
const POLL = `GET ${STATUS_PATH}`;
const IN_PROGRESS: FakeReply = {
  status: 409,
  headers: { 'retry-after': '1' },
  body: { code: 'payment_identifier_in_progress', message: 'This request is being processed.' },
};

/** What a paid request carried that the server keys its idempotency on. */
function sentAs(request: RecordedRequest) {
  return {
    signature: request.headers['payment-signature'],
    contentType: request.headers['content-type'],
    body: request.body,
  };
}

/** Calls the fake server through a fresh client, recording the statuses polled and the resends. */
async function payAndRecord(
  server: Parameters<typeof payForHash>[1],
  call: { deliveryTimeoutMs?: number } = {},
) {
  const client = harness.client();
  const statuses: PaymentStatusReport['status'][] = [];
  const resends: PaidRequestResend[] = [];
  const started = Date.now();
  const result = expectResponse(
    await payForHash(client, server, {
      ...call,
      onPaymentStatus: (report) => statuses.push(report.status),
      onResend: (resend) => resends.push(resend),
    }),
  );
  return { client, result, statuses, resends, elapsedMs: Date.now() - started };
}

function broadcastingStatus(baseUrl: string): FakeReply {
  return { status: 200, body: statusReport(baseUrl, PAYMENT_ID, ['queued', 'broadcasting']) };
}

describe('after 202 broadcasting', () => {
  it('sends the same payment-signature again each poll until the server broadcasts it again, and returns the 200', async () => {
    const server = await harness.startServer(stuckBroadcast(1));
    const { client, result, statuses, resends } = await payAndRecord(server);

    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      PAID,
      POLL,
      PAID,
      POLL,
      PAID,
    ]);
    const paid = server.paidRequests();
    const first = sentAs(paid[0]);
    expect(first.contentType).toBe('application/json');
    expect(first.body).toBe('{"data":"hello world"}');
    expect(paid.map(sentAs)).toEqual([first, first, first]);
    // One transaction signed, once: one nonce and fee read, one txid, one amount spent.
    const txid = transactionOf(paid[0]).txid();
    expect(paid.map((request) => transactionOf(request).txid())).toEqual([txid, txid, txid]);
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });

    expect(statuses).toEqual(['broadcasting', 'broadcasting']);
    expect(resends).toEqual([
      { paymentId: PAYMENT_ID, reason: 'broadcasting', status: 202 },
      { paymentId: PAYMENT_ID, reason: 'broadcasting', status: 200 },
    ]);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ hash: 'b94d27b9' });
    expect(result.paymentResponse?.transaction).toBe(`0x${txid}`);
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(result.pending).toEqual(pendingReply(server.url, PAYMENT_ID, 'broadcasting').body);
    expect(result.paymentStatus?.status).toBe('broadcasting');
  });

  it('sends the same payment again when the status cannot be read', async () => {
    const server = await harness.startServer({
      ...stuckBroadcast(1),
      onStatus: () => ({ status: 503, body: { code: 'unavailable' } }),
    });
    const { result, statuses, resends } = await payAndRecord(server);

    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      PAID,
      POLL,
      PAID,
      POLL,
      PAID,
    ]);
    const paid = server.paidRequests();
    expect(paid.map(sentAs)).toEqual([sentAs(paid[0]), sentAs(paid[0]), sentAs(paid[0])]);
    expect(statuses).toEqual([]);
    expect(resends).toEqual([
      { paymentId: PAYMENT_ID, reason: 'status_unknown', status: 202 },
      { paymentId: PAYMENT_ID, reason: 'status_unknown', status: 200 },
    ]);
    expect(result.status).toBe(200);
    expect(result.paymentStatus).toBeUndefined();
  });

  it('keeps waiting when a resend is answered 409 payment_identifier_in_progress', async () => {
    let baseUrl = '';
    const server = await harness.startServer({
      onPaid: (request, index) =>
        [pendingReply(baseUrl, PAYMENT_ID, 'broadcasting'), IN_PROGRESS][index] ??
        deliveredReply(request),
      onStatus: (_paymentId, _index, url) => broadcastingStatus(url),
    });
    baseUrl = server.url;
    const { result, resends } = await payAndRecord(server);

    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      PAID,
      POLL,
      PAID,
      POLL,
      PAID,
    ]);
    expect(resends).toEqual([
      { paymentId: PAYMENT_ID, reason: 'broadcasting', status: 409 },
      { paymentId: PAYMENT_ID, reason: 'broadcasting', status: 200 },
    ]);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ hash: 'b94d27b9' });
  });

  it('ends with any other answer to a resend (a 402), without paying again', async () => {
    const refused = {
      status: 402,
      body: { code: 'transaction_failed', message: 'the payment ended failed' },
    };
    let baseUrl = '';
    const server = await harness.startServer({
      onPaid: (_request, index) =>
        index === 0 ? pendingReply(baseUrl, PAYMENT_ID, 'broadcasting') : refused,
      onStatus: (_paymentId, _index, url) => broadcastingStatus(url),
    });
    baseUrl = server.url;
    const { client, result, resends } = await payAndRecord(server);

    expect(server.requests.map(routeOf)).toEqual(['POST /hashing/sha256', PAID, POLL, PAID]);
    expect(resends).toEqual([{ paymentId: PAYMENT_ID, reason: 'broadcasting', status: 402 }]);
    expect(result.status).toBe(402);
    expect(result.body).toEqual(refused.body);
    expect(result.pending?.status).toBe('broadcasting');
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('stops sending at the delivery deadline and hands back the 202', async () => {
    const server = await harness.startServer(stuckBroadcast(Number.POSITIVE_INFINITY));
    const { result, resends, elapsedMs } = await payAndRecord(server, { deliveryTimeoutMs: 2500 });

    // Polls and resends at 1 s and 2 s; the poll at the deadline (2.5 s) sends nothing.
    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      PAID,
      POLL,
      PAID,
      POLL,
      PAID,
      POLL,
    ]);
    expect(elapsedMs).toBeGreaterThanOrEqual(2500);
    expect(elapsedMs).toBeLessThan(3500);
    const resent = { paymentId: PAYMENT_ID, reason: 'broadcasting', status: 202 };
    expect(resends).toEqual([resent, resent]);
    expect(result.status).toBe(202);
    expect(result.pending).toEqual(pendingReply(server.url, PAYMENT_ID, 'broadcasting').body);
    expect(result.paymentStatus?.status).toBe('broadcasting');
  });

  it('cuts a resend that hangs off at the delivery deadline', async () => {
    let baseUrl = '';
    const server = await harness.startServer({
      onPaid: (request, index) =>
        index === 0
          ? pendingReply(baseUrl, PAYMENT_ID, 'broadcasting')
          : { delayMs: 10_000, reply: deliveredReply(request) },
      onStatus: (_paymentId, _index, url) => broadcastingStatus(url),
    });
    baseUrl = server.url;
    const { result, resends, elapsedMs } = await payAndRecord(server, { deliveryTimeoutMs: 1500 });

    expect(server.requests.map(routeOf)).toEqual(['POST /hashing/sha256', PAID, POLL, PAID]);
    expect(elapsedMs).toBeGreaterThanOrEqual(1500);
    expect(elapsedMs).toBeLessThan(2500);
    expect(resends).toEqual([{ paymentId: PAYMENT_ID, reason: 'broadcasting', status: undefined }]);
    expect(result.status).toBe(202);
    expect(result.pending?.status).toBe('broadcasting');
  });
});
