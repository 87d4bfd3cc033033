/**
 * The server side of a broadcast whose outcome was unknown (a node 5xx or a hang), as the Worker
 * handles it: the paid request is answered `202 payment_pending` with status `broadcasting`, and
 * the payment stays `broadcasting` until a request with the same `payment-signature` comes, on
 * which the stored transaction is broadcast again. The first `failedRebroadcasts` of those fail
 * too (the node is still down: 202 again); the next one puts the payment in the mempool and
 * answers 200 with the result.
 */
import type { PaymentStatus } from '../payment-status';
import {
  type FakePaidApiOptions,
  type FakeReply,
  pendingReply,
  type RecordedRequest,
  statusReport,
} from './fake-paid-api';
import { deliveredReply, PAYMENT_ID } from './fixtures';

/** Answered to a paid request that is not the first one sent again: a second payment. */
export const SECOND_PAYMENT_REPLY: FakeReply = {
  status: 400,
  body: { code: 'second_payment', message: 'The client signed another payment.' },
};

export function stuckBroadcast(
  failedRebroadcasts: number,
): Pick<FakePaidApiOptions, 'onPaid' | 'onStatus'> {
  let firstSignature: unknown;
  let inMempool = false;
  const baseUrlOf = (request: RecordedRequest) => `http://${request.headers.host}`;
  return {
    onPaid: (request, index) => {
      const signature = request.headers['payment-signature'];
      if (index === 0) firstSignature = signature;
      if (signature !== firstSignature) return SECOND_PAYMENT_REPLY;
      if (index <= failedRebroadcasts) {
        return pendingReply(baseUrlOf(request), PAYMENT_ID, 'broadcasting');
      }
      inMempool = true;
      return deliveredReply(request);
    },
    onStatus: (_paymentId, _index, baseUrl) => {
      const history: PaymentStatus[] = inMempool
        ? ['queued', 'broadcasting', 'mempool']
        : ['queued', 'broadcasting'];
      return { status: 200, body: statusReport(baseUrl, PAYMENT_ID, history) };
    },
  };
}
