/**
 * Everything after the payment is signed: send the paid request and collect its result, never
 * signing again. Each retry sends the same `payment-signature` (same transaction, same
 * payment identifier), which the server's idempotency turns into the stored result:
 * - a network error or a timeout: retry, a bounded number of times;
 * - `409 payment_identifier_in_progress`: the server is still on it; wait `retry-after`, retry;
 * - `202 payment_pending`: paid, not deliverable yet; poll `checkStatusUrl` until the payment can
 *   be delivered (then retry), ends in failure (stop), or the delivery timeout passes (stop).
 */
import { X402ClientError } from './errors';
import { errorCodeOf, type ReadResponse, readResponse, sleep, withTimeout } from './http';
import {
  fetchPaymentStatus,
  isDeliverableStatus,
  isFailedStatus,
  type PaymentPending,
  type PaymentStatusReport,
  parsePaymentPending,
  parseRetryAfter,
  retryDelayMs,
} from './payment-status';
import type { FetchFunction } from './stacks-api';

/** Attempts of one paid request on network errors and timeouts. */
export const PAID_REQUEST_ATTEMPTS = 3;
/** Retries after `409 payment_identifier_in_progress` (each waits 1 to 10 s). */
export const IN_PROGRESS_RETRIES = 5;

export interface PaidExchange {
  fetchFn: FetchFunction;
  url: string;
  /** The request, `payment-signature` included. */
  request: RequestInit;
  paymentIdentifier: string;
  txid: string;
  attemptTimeoutMs: number;
  waitForDelivery: boolean;
  deliveryTimeoutMs: number;
  onPaymentStatus?: (status: PaymentStatusReport) => void;
}

export type PaidOutcome =
  | {
      type: 'answered';
      response: ReadResponse;
      pending?: PaymentPending;
      paymentStatus?: PaymentStatusReport;
    }
  | {
      type: 'failed';
      response: ReadResponse;
      pending: PaymentPending;
      paymentStatus: PaymentStatusReport;
    };

type WaitOutcome =
  | { type: 'deliverable'; last: PaymentStatusReport }
  | { type: 'failed'; last: PaymentStatusReport }
  | { type: 'timed_out'; last?: PaymentStatusReport };

export async function exchangePaidRequest(exchange: PaidExchange): Promise<PaidOutcome> {
  const deadline = Date.now() + exchange.deliveryTimeoutMs;
  const signal = exchange.request.signal;
  let pending: PaymentPending | undefined;
  let paymentStatus: PaymentStatusReport | undefined;
  let inProgressRetries = 0;
  for (;;) {
    const response = await sendWithRetries(exchange);
    if (
      response.status === 409 &&
      errorCodeOf(response.body) === 'payment_identifier_in_progress' &&
      inProgressRetries < IN_PROGRESS_RETRIES
    ) {
      inProgressRetries += 1;
      await sleep(retryDelayMs(parseRetryAfter(response.headers.get('retry-after'))), signal);
      continue;
    }
    const pendingNow =
      response.status === 202 ? parsePaymentPending(response.body, response.headers) : undefined;
    if (pendingNow === undefined || !exchange.waitForDelivery) {
      return { type: 'answered', response, pending: pendingNow ?? pending, paymentStatus };
    }
    pending = pendingNow;
    const waited = await waitUntilDeliverable(exchange, pendingNow, deadline);
    paymentStatus = waited.last ?? paymentStatus;
    if (waited.type === 'failed') {
      return { type: 'failed', response, pending, paymentStatus: waited.last };
    }
    if (waited.type === 'timed_out') return { type: 'answered', response, pending, paymentStatus };
  }
}

/** One logical send of the paid request: the same bytes again on a network error or timeout. */
async function sendWithRetries(exchange: PaidExchange): Promise<ReadResponse> {
  const { fetchFn, url, request, attemptTimeoutMs, paymentIdentifier, txid } = exchange;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const signal = withTimeout(request.signal, attemptTimeoutMs);
      return await readResponse(await fetchFn(url, { ...request, signal }));
    } catch (error) {
      if (request.signal?.aborted) throw error;
      if (attempt >= PAID_REQUEST_ATTEMPTS) {
        throw new X402ClientError(
          'resource_unreachable',
          `no answer from ${url} after sending payment ${txid} (${attempt} attempts); call again with paymentIdentifier ${paymentIdentifier} to collect it without paying twice`,
          { cause: error, paymentIdentifier },
        );
      }
      await sleep(500 * attempt, request.signal);
    }
  }
}

/** Polls the payment's status every `retryAfterSeconds` (1 to 10 s) until it is decided. */
async function waitUntilDeliverable(
  exchange: PaidExchange,
  pending: PaymentPending,
  deadline: number,
): Promise<WaitOutcome> {
  const { fetchFn, attemptTimeoutMs, onPaymentStatus } = exchange;
  const signal = exchange.request.signal;
  const interval = retryDelayMs(pending.retryAfterSeconds);
  let last: PaymentStatusReport | undefined;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return { type: 'timed_out', last };
    await sleep(Math.min(interval, left), signal);
    const pollSignal = withTimeout(signal, attemptTimeoutMs);
    try {
      last = await fetchPaymentStatus(fetchFn, pending.checkStatusUrl, pollSignal);
    } catch (error) {
      // An unreachable, slow or confused status endpoint is no news: poll again until the deadline.
      if (signal?.aborted) throw error;
      if (error instanceof X402ClientError || pollSignal?.aborted) continue;
      throw error;
    }
    onPaymentStatus?.(last);
    if (isFailedStatus(last.status)) return { type: 'failed', last };
    if (isDeliverableStatus(pending.status, last.status)) return { type: 'deliverable', last };
  }
}
