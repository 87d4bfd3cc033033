/**
 * `202 payment_pending`: paid, not deliverable yet. The client polls the free status URL, then
 * collects the result by resending the very same `payment-signature`; it never pays again, and
 * hands back the 202 when told not to wait or when waiting takes too long. Resends while the
 * payment is `broadcasting` or its status is unavailable: `resend.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { PaidRequestResend } from './client-api';
import type { PaymentStatus, PaymentStatusReport } from './payment-status';
import {
  type FakeReply,
  pendingReply,
  type RecordedRequest,
  routeOf,
  statusReport,
} from './test-support/fake-paid-api';
import {
  expectPaymentFailed,
  expectResponse,
  PAYER,
  PAYMENT_ID,
  STACKS_READS,
  transactionOf,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';

const harness = useClientHarness();
const STATUS_PATH = `/payment-status/${PAYMENT_ID}`;

function delivered(request: RecordedRequest): FakeReply {
  return {
    status: 200,
    body: { hash: 'b94d27b9' },
    headers: { 'x-payment-id': PAYMENT_ID, 'x-payer-address': PAYER },
    settlement: {
      success: true,
      payer: PAYER,
      transaction: `0x${transactionOf(request).txid()}`,
      network: 'stacks:2147483648',
    },
  };
}

/** A server answering 202 (`pendingStatus`) to the first paid request, 200 to the next. */
function startPendingServer(
  pendingStatus: 'broadcasting' | 'mempool',
  statuses: (baseUrl: string, index: number) => FakeReply,
) {
  let baseUrl = '';
  const server = harness.startServer({
    onPaid: (request, index) =>
      index === 0 ? pendingReply(baseUrl, PAYMENT_ID, pendingStatus) : delivered(request),
    onStatus: (_paymentId, index, url) => statuses(url, index),
  });
  return server.then((started) => {
    baseUrl = started.url;
    return started;
  });
}

/** The status report after walking `history`, as a 200 reply. */
function statusAfter(baseUrl: string, history: PaymentStatus[], extra = {}): FakeReply {
  return { status: 200, body: statusReport(baseUrl, PAYMENT_ID, history, extra) };
}

describe('after 202 payment_pending', () => {
  it('polls until confirmed, then resends the same header and returns the 200', async () => {
    const server = await startPendingServer('mempool', (url, index) =>
      statusAfter(url, index === 0 ? ['queued', 'mempool'] : ['queued', 'mempool', 'confirmed']),
    );
    const client = harness.client();
    const seen: PaymentStatusReport[] = [];
    const result = expectResponse(
      await payForHash(client, server, { onPaymentStatus: (report) => seen.push(report) }),
    );

    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
      `GET ${STATUS_PATH}`,
      `GET ${STATUS_PATH}`,
      'POST /hashing/sha256 (paid)',
    ]);
    const [first, collected] = server.paidRequests();
    expect(collected.headers['payment-signature']).toBe(first.headers['payment-signature']);
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
    expect(seen.map((report) => report.status)).toEqual(['mempool', 'confirmed']);

    const confirmed = statusReport(server.url, PAYMENT_ID, ['queued', 'mempool', 'confirmed']);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ hash: 'b94d27b9' });
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(result.checkStatusUrl).toBe(`${server.url}${STATUS_PATH}`);
    expect(result.paymentStatus).toEqual(confirmed);
    expect(result.pending).toEqual({
      code: 'payment_pending',
      message: 'Payment received; the result is delivered once it is confirmed.',
      paymentId: PAYMENT_ID,
      status: 'mempool',
      checkStatusUrl: `${server.url}${STATUS_PATH}`,
      retryAfterSeconds: 1,
    });
    expect(result.paymentResponse?.success).toBe(true);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('after an unknown outcome (broadcasting), collects at mempool', async () => {
    const server = await startPendingServer('broadcasting', (url) =>
      statusAfter(url, ['queued', 'broadcasting', 'mempool']),
    );
    const resends: PaidRequestResend[] = [];
    const result = expectResponse(
      await payForHash(harness.client(), server, { onResend: (resend) => resends.push(resend) }),
    );
    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
      `GET ${STATUS_PATH}`,
      'POST /hashing/sha256 (paid)',
    ]);
    expect(resends).toEqual([{ paymentId: PAYMENT_ID, reason: 'deliverable', status: 200 }]);
    expect(result.status).toBe(200);
    expect(result.paymentStatus?.status).toBe('mempool');
  });

  it('stops at a terminal failure and returns payment_failed, without paying again', async () => {
    const server = await startPendingServer('mempool', (url) =>
      statusAfter(url, ['queued', 'mempool', 'failed'], {
        terminalReason: 'abort_by_post_condition',
      }),
    );
    const client = harness.client();
    const failed = expectPaymentFailed(await payForHash(client, server));

    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
      `GET ${STATUS_PATH}`,
    ]);
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
    expect(failed.message).toBe(
      `payment ${PAYMENT_ID} ended failed (abort_by_post_condition): nothing was delivered, and nothing more was paid`,
    );
    expect(failed.status).toBe(202);
    expect(failed.paymentId).toBe(PAYMENT_ID);
    expect(failed.paymentStatus.status).toBe('failed');
    expect(failed.paymentStatus.terminalReason).toBe('abort_by_post_condition');
    expect(failed.pending.status).toBe('mempool');
    expect(failed.payment.txid).toBe(`0x${transactionOf(server.paidRequests()[0]).txid()}`);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('returns the 202 with its paymentId and checkStatusUrl when delivery takes too long', async () => {
    const server = await startPendingServer('mempool', (url) =>
      statusAfter(url, ['queued', 'mempool']),
    );
    const result = expectResponse(
      await payForHash(harness.client(), server, { deliveryTimeoutMs: 1500 }),
    );
    // Polls at 1 s, then at the deadline (1.5 s); no second paid request.
    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
      `GET ${STATUS_PATH}`,
      `GET ${STATUS_PATH}`,
    ]);
    expect(result.status).toBe(202);
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(result.checkStatusUrl).toBe(`${server.url}${STATUS_PATH}`);
    expect(result.pending?.status).toBe('mempool');
    expect(result.paymentStatus?.status).toBe('mempool');
  });

  it('stops waiting as soon as the caller aborts', async () => {
    const server = await startPendingServer('mempool', (url) =>
      statusAfter(url, ['queued', 'mempool']),
    );
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    const client = harness.client();
    const call = client.fetch(
      `${server.url}/hashing/sha256`,
      { method: 'POST', body: '{}', signal: controller.signal },
      { onPaymentStatus: () => controller.abort(reason) },
    );
    await expect(call).rejects.toBe(reason);
    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
      `GET ${STATUS_PATH}`,
    ]);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('returns the 202 at once with waitForDelivery: false', async () => {
    const server = await startPendingServer('mempool', (url) =>
      statusAfter(url, ['queued', 'mempool', 'confirmed']),
    );
    const result = expectResponse(
      await payForHash(harness.client(), server, { waitForDelivery: false }),
    );
    expect(server.requests.map(routeOf)).toEqual([
      'POST /hashing/sha256',
      'POST /hashing/sha256 (paid)',
    ]);
    expect(result.status).toBe(202);
    expect(result.headers.get('retry-after')).toBe('1');
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(result.checkStatusUrl).toBe(`${server.url}${STATUS_PATH}`);
    expect(result.pending?.paymentId).toBe(PAYMENT_ID);
    expect(result.paymentStatus).toBeUndefined();
  });
});
