/**
 * Everything after the payment is signed: send the paid request and collect its result, never
 * signing again. Every send carries the same `payment-signature` (same transaction, same payment
 * identifier), which the server's idempotency turns into the stored result:
 * - a network error or a timeout: send again, a bounded number of times;
 * - `409 payment_identifier_in_progress`: the server is still on it; wait `retry-after`, send again;
 * - `202 payment_pending`: paid, not deliverable yet; poll `checkStatusUrl`, and send the request
 *   again whenever that can move the payment on (`resendReason`), until the server answers, the
 *   payment ends in failure (stop), or the delivery timeout passes (hand back the last 202).
 */
import type { PaidRequestResend } from './client-api';
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
  onResend?: (resend: PaidRequestResend) => void;
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

export async function exchangePaidRequest(exchange: PaidExchange): Promise<PaidOutcome> {
  const deadline = Date.now() + exchange.deliveryTimeoutMs;
  const response = await sendUntilTakenUp(exchange);
  const pending =
    response.status === 202 ? parsePaymentPending(response.body, response.headers) : undefined;
  if (pending === undefined || !exchange.waitForDelivery) {
    return { type: 'answered', response, pending };
  }
  return waitForDelivery(exchange, response, pending, deadline);
}

function isInProgress(response: ReadResponse): boolean {
  return response.status === 409 && errorCodeOf(response.body) === 'payment_identifier_in_progress';
}

/** The paid request, sent again after `retry-after` while the server says it is still on it. */
async function sendUntilTakenUp(exchange: PaidExchange): Promise<ReadResponse> {
  for (let retries = 0; ; retries += 1) {
    const response = await sendWithRetries(exchange);
    if (!isInProgress(response) || retries >= IN_PROGRESS_RETRIES) return response;
    const delay = retryDelayMs(parseRetryAfter(response.headers.get('retry-after')));
    await sleep(delay, exchange.request.signal);
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

/**
 * After a 202: every `retryAfterSeconds` (1 to 10 s), polls the payment's status and, when
 * `resendReason` says so, sends the paid request again. A resend answered 202 or
 * `409 payment_identifier_in_progress` keeps the wait going; any other answer ends it.
 */
async function waitForDelivery(
  exchange: PaidExchange,
  firstResponse: ReadResponse,
  firstPending: PaymentPending,
  deadline: number,
): Promise<PaidOutcome> {
  const signal = exchange.request.signal;
  let response = firstResponse;
  let pending = firstPending;
  let paymentStatus: PaymentStatusReport | undefined;
  for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
    const interval = retryDelayMs(pending.retryAfterSeconds);
    // The tick that reaches the deadline still polls and collects a deliverable payment, but
    // sends nothing on the off chance: no time is left for an answer.
    const lastTick = left <= interval;
    await sleep(Math.min(interval, left), signal);
    const polled = await pollPaymentStatus(exchange, pending.checkStatusUrl);
    if (polled !== undefined) {
      paymentStatus = polled;
      exchange.onPaymentStatus?.(polled);
      if (isFailedStatus(polled.status)) {
        return { type: 'failed', response, pending, paymentStatus: polled };
      }
    }
    const reason = resendReason(pending, polled);
    if (reason !== undefined && (reason === 'deliverable' || !lastTick)) {
      const answer = await resend(exchange, reason, deadline);
      exchange.onResend?.({ paymentId: pending.paymentId, reason, status: answer?.status });
      if (answer !== undefined && !isInProgress(answer)) {
        const pendingNow =
          answer.status === 202 ? parsePaymentPending(answer.body, answer.headers) : undefined;
        if (pendingNow === undefined) {
          return { type: 'answered', response: answer, pending, paymentStatus };
        }
        response = answer;
        pending = pendingNow;
      }
    }
    if (lastTick) break;
  }
  return { type: 'answered', response, pending, paymentStatus };
}

/**
 * Why to send the paid request again, if at all: to collect a deliverable payment; and, while it
 * is `broadcasting` or its status cannot be read, because the server's broadcast may have had an
 * unknown outcome (a node 5xx or a hang). The payment then stays `broadcasting` until a request
 * with the same `payment-signature` comes, on which the server broadcasts the stored signed
 * transaction again (one txid, one nonce: it is charged once at most).
 */
function resendReason(
  pending: PaymentPending,
  polled: PaymentStatusReport | undefined,
): PaidRequestResend['reason'] | undefined {
  if (polled === undefined) return 'status_unknown';
  if (isDeliverableStatus(pending.status, polled.status)) return 'deliverable';
  return polled.status === 'broadcasting' ? 'broadcasting' : undefined;
}

/**
 * The paid request, unchanged. To collect a deliverable payment it is sent as the first time
 * (retried, throwing when nothing answers); otherwise once, cut off at the deadline, and no answer
 * is no news (undefined).
 */
async function resend(
  exchange: PaidExchange,
  reason: PaidRequestResend['reason'],
  deadline: number,
): Promise<ReadResponse | undefined> {
  if (reason === 'deliverable') return sendWithRetries(exchange);
  const { fetchFn, url, request, attemptTimeoutMs } = exchange;
  const timeoutMs = Math.max(0, Math.min(attemptTimeoutMs, deadline - Date.now()));
  try {
    const signal = withTimeout(request.signal, timeoutMs);
    return await readResponse(await fetchFn(url, { ...request, signal }));
  } catch (error) {
    if (request.signal?.aborted) throw error;
    return undefined;
  }
}

/** The payment's status; undefined when the status endpoint is unreachable, slow or confused. */
async function pollPaymentStatus(
  exchange: PaidExchange,
  url: string,
): Promise<PaymentStatusReport | undefined> {
  const signal = exchange.request.signal;
  const pollSignal = withTimeout(signal, exchange.attemptTimeoutMs);
  try {
    return await fetchPaymentStatus(exchange.fetchFn, url, pollSignal);
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof X402ClientError || pollSignal?.aborted) return undefined;
    throw error;
  }
}
