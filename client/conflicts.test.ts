/**
 * `409` answers to a paid request, keyed by the payment identifier: a conflict (the id was used
 * for another request) is final; "in progress" (the same request is still being processed) is
 * retried with the same header after `retry-after`, a bounded number of times.
 */
import { describe, expect, it } from 'vitest';
import { IN_PROGRESS_RETRIES } from './paid-request';
import type { FakeReply } from './test-support/fake-paid-api';
import { deliveredReply, expectResponse, identifierOf, PAYMENT_ID } from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';

const harness = useClientHarness();
const CONFLICT = {
  code: 'payment_identifier_conflict',
  message: 'This payment identifier was already used for a different request.',
};
const IN_PROGRESS: FakeReply = {
  status: 409,
  headers: { 'retry-after': '0' },
  body: { code: 'payment_identifier_in_progress', message: 'This request is being processed.' },
};

describe('409 to a paid request', () => {
  it('returns payment_identifier_conflict as the final answer, without paying again', async () => {
    const server = await harness.startServer({ onPaid: () => ({ status: 409, body: CONFLICT }) });
    const id = 'reused-identifier-0001';
    const result = expectResponse(
      await payForHash(harness.client(), server, { paymentIdentifier: id }),
    );
    expect(result.status).toBe(409);
    expect(result.body).toEqual(CONFLICT);
    expect(result.paymentIdentifier).toBe(id);
    expect(server.paidRequests().map(identifierOf)).toEqual([id]);
  });

  it('waits retry-after (at least 1 s) and resends the same header while in progress', async () => {
    const server = await harness.startServer({
      onPaid: (request, index) => (index === 0 ? IN_PROGRESS : deliveredReply(request)),
    });
    const started = Date.now();
    const result = expectResponse(await payForHash(harness.client(), server));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const [first, second] = server.paidRequests();
    expect(server.paidRequests()).toHaveLength(2);
    expect(second.headers['payment-signature']).toBe(first.headers['payment-signature']);
    expect(result.status).toBe(200);
    expect(result.paymentId).toBe(PAYMENT_ID);
  });

  it(`returns the 409 after ${IN_PROGRESS_RETRIES} retries still in progress`, async () => {
    const server = await harness.startServer({ onPaid: () => IN_PROGRESS });
    const result = expectResponse(await payForHash(harness.client(), server));
    expect(result.status).toBe(409);
    expect(result.body).toEqual(IN_PROGRESS.body);
    const signatures = new Set(
      server.paidRequests().map((request) => request.headers['payment-signature']),
    );
    expect(server.paidRequests()).toHaveLength(1 + IN_PROGRESS_RETRIES);
    expect(signatures.size).toBe(1);
  });
});
