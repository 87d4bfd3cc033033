/**
 * `client.paymentStatus`: the free `GET /payment-status/{paymentId}`, by id or by URL, and the
 * parsing of the lifecycle answers (the status report, the 202 body, the wait hints).
 */
import { describe, expect, it } from 'vitest';
import {
  describeInvalidStatusReport,
  isDeliverableStatus,
  parsePaymentPending,
  parseRetryAfter,
  retryDelayMs,
} from './payment-status';
import { pendingReply, statusReport } from './test-support/fake-paid-api';
import { PAYMENT_ID } from './test-support/fixtures';
import { useClientHarness } from './test-support/harness';

const harness = useClientHarness();

function startStatusServer() {
  return harness.startServer({
    onPaid: () => ({ status: 500, body: { error: 'this test must not pay' } }),
    onStatus: (paymentId, _index, url) =>
      paymentId === PAYMENT_ID
        ? {
            status: 200,
            body: statusReport(url, PAYMENT_ID, ['queued', 'mempool', 'confirmed'], {
              confirmedAt: '2030-01-02T12:00:02.000Z',
              blockHeight: 42,
            }),
          }
        : paymentId === 'pay_broken'
          ? { status: 200, body: { ...statusReport(url, paymentId, ['queued']), history: {} } }
          : { status: 404, body: { code: 'payment_not_found', message: 'No such payment.' } },
  });
}

describe('client.paymentStatus', () => {
  it('reads the status by payment id (with apiUrl) or by its URL', async () => {
    const server = await startStatusServer();
    const expected = statusReport(server.url, PAYMENT_ID, ['queued', 'mempool', 'confirmed'], {
      confirmedAt: '2030-01-02T12:00:02.000Z',
      blockHeight: 42,
    });
    const client = harness.client({ apiUrl: `${server.url}/` });
    expect(await client.paymentStatus(PAYMENT_ID)).toEqual(expected);
    expect(await harness.client().paymentStatus(expected.checkStatusUrl)).toEqual(expected);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /payment-status/${PAYMENT_ID}`,
      `GET /payment-status/${PAYMENT_ID}`,
    ]);
    expect(harness.stacksApi.requests).toEqual([]);
  });

  it('throws payment_not_found on 404 and payment_status_unavailable on a malformed report', async () => {
    const server = await startStatusServer();
    const client = harness.client({ apiUrl: server.url });
    await expect(client.paymentStatus('pay_unknown')).rejects.toMatchObject({
      code: 'payment_not_found',
      message: `GET ${server.url}/payment-status/pay_unknown answered 404: No such payment.`,
    });
    await expect(client.paymentStatus('pay_broken')).rejects.toMatchObject({
      code: 'payment_status_unavailable',
      message: `GET ${server.url}/payment-status/pay_broken: the status history is not an array`,
    });
  });

  it('needs apiUrl for a bare id, and refuses what is neither an id nor a URL', async () => {
    await expect(harness.client().paymentStatus(PAYMENT_ID)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'a bare payment id needs the apiUrl option; pass the checkStatusUrl instead',
    });
    const client = harness.client({ apiUrl: 'http://127.0.0.1:9' });
    await expect(client.paymentStatus('../admin')).rejects.toMatchObject({
      code: 'invalid_argument',
      message: '"../admin" is neither a payment id (pay_...) nor a status URL',
    });
  });
});

describe('lifecycle parsing', () => {
  it('checks every field of a status report', () => {
    const report = statusReport('http://api', PAYMENT_ID, ['queued', 'mempool']);
    expect(describeInvalidStatusReport(report)).toBeUndefined();
    expect(describeInvalidStatusReport({ ...report, status: 'settled' })).toBe(
      'status "settled" is unknown',
    );
    expect(describeInvalidStatusReport({ ...report, amount: 1000 })).toBe('amount is not a string');
    expect(describeInvalidStatusReport({ ...report, blockHeight: '42' })).toBe(
      'blockHeight is not a number',
    );
    expect(describeInvalidStatusReport({ ...report, delivery: 'instant' })).toBe(
      'delivery is neither "mempool" nor "confirmed"',
    );
    expect(describeInvalidStatusReport({ ...report, delivered: 'yes' })).toBe(
      'delivered is not a boolean',
    );
    expect(describeInvalidStatusReport({ ...report, history: [{ status: 'queued', at: 0 }] })).toBe(
      'history[0] is not {status, at, reason?}',
    );
  });

  it('reads a 202 payment_pending body, and nothing else, as pending', () => {
    const reply = pendingReply('http://api', PAYMENT_ID, 'broadcasting', 4);
    const headers = new Headers(reply.headers);
    expect(parsePaymentPending(reply.body, headers)).toEqual(reply.body);
    expect(parsePaymentPending({ accepted: true }, headers)).toBeUndefined();
    const { retryAfterSeconds: _, ...withoutHint } = reply.body as Record<string, unknown>;
    expect(parsePaymentPending(withoutHint, headers)?.retryAfterSeconds).toBe(4);
  });

  it('bounds the wait between polls to 1..10 s', () => {
    expect([0, 0.5, 1, 3, 10, 60, undefined, Number.NaN].map(retryDelayMs)).toEqual([
      1000, 1000, 1000, 3000, 10000, 10000, 1000, 1000,
    ]);
    expect([' 5 ', '0', 'Wed, 21 Oct 2030 07:28:00 GMT', null].map(parseRetryAfter)).toEqual([
      5,
      0,
      undefined,
      undefined,
    ]);
  });

  it('delivers at confirmed, or at mempool after an unknown outcome', () => {
    expect(isDeliverableStatus('mempool', 'mempool')).toBe(false);
    expect(isDeliverableStatus('mempool', 'confirmed')).toBe(true);
    expect(isDeliverableStatus('broadcasting', 'broadcasting')).toBe(false);
    expect(isDeliverableStatus('broadcasting', 'mempool')).toBe(true);
    expect(isDeliverableStatus('broadcasting', 'confirmed')).toBe(true);
  });
});
