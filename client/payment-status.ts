/**
 * The payment lifecycle as the client sees it (DESIGN section 5): the `202 payment_pending` answer
 * to a paid request that is paid but not yet deliverable, and the free
 * `GET /payment-status/{paymentId}` that tells how that payment is doing. Web APIs only.
 */
import { PAYMENT_STATUSES, type PaymentStatus } from '../src/payment/lifecycle';
import { X402ClientError } from './errors';
import type { FetchFunction } from './stacks-api';

export type { PaymentStatus };

/** One step of a payment's history. */
export interface PaymentStatusEvent {
  status: PaymentStatus;
  /** ISO-8601. */
  at: string;
  reason?: string;
}

/** The body of `GET /payment-status/{paymentId}`. */
export interface PaymentStatusReport {
  paymentId: string;
  status: PaymentStatus;
  /** Why a terminal status was reached (e.g. `abort_by_post_condition`). */
  terminalReason?: string;
  txid: string;
  payer: string;
  /** The paid route, e.g. `POST /hashing/sha256`. */
  route: string;
  asset: string;
  /** Atomic units of `asset`, a decimal string. */
  amount: string;
  network: string;
  /** When the route delivers: as soon as the transaction is in the mempool, or once confirmed. */
  delivery?: 'mempool' | 'confirmed';
  /** Whether the paid result was handed out. */
  delivered?: boolean;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  blockHeight?: number;
  /** Atomic units owed back to the payer when the work failed after settlement. */
  owedAmount?: string;
  checkStatusUrl: string;
  history: PaymentStatusEvent[];
}

/** The body of a `202 Accepted` to a paid request: paid, not deliverable yet. */
export interface PaymentPending {
  code: 'payment_pending';
  message: string;
  paymentId: string;
  status: PaymentStatus;
  checkStatusUrl: string;
  retryAfterSeconds: number;
}

/** Where `GET /payment-status/{paymentId}` lives, relative to the API's base URL. */
export const PAYMENT_STATUS_PATH = '/payment-status/';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPaymentStatus(value: unknown): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly unknown[]).includes(value);
}

/** Statuses after which the payment will never be charged: the client stops and never repays. */
export function isFailedStatus(status: PaymentStatus): boolean {
  return status === 'failed' || status === 'replaced' || status === 'not_found';
}

/**
 * Whether the server will now deliver: `confirmed`, or `mempool` when the 202 came from an unknown
 * settlement outcome (status `broadcasting`), since the server then only waits to see the
 * transaction accepted.
 */
export function isDeliverableStatus(pending: PaymentStatus, current: PaymentStatus): boolean {
  return current === 'confirmed' || (pending === 'broadcasting' && current === 'mempool');
}

/** The server's wait hint, bounded to 1..10 s so a bad value neither hammers nor stalls. */
export function retryDelayMs(seconds: number | undefined): number {
  const value = seconds !== undefined && Number.isFinite(seconds) ? seconds : 1;
  return Math.min(10, Math.max(1, value)) * 1000;
}

/** `retry-after` in delta-seconds (the only form this API sends); undefined otherwise. */
export function parseRetryAfter(header: string | null): number | undefined {
  return header !== null && /^\s*[0-9]+\s*$/.test(header) ? Number(header) : undefined;
}

/** The 202 body when it is a `payment_pending` answer; undefined for any other 202. */
export function parsePaymentPending(body: unknown, headers: Headers): PaymentPending | undefined {
  if (!isObject(body) || body.code !== 'payment_pending') return undefined;
  const { message, paymentId, status, checkStatusUrl, retryAfterSeconds } = body;
  if (typeof paymentId !== 'string' || typeof checkStatusUrl !== 'string') return undefined;
  if (!isPaymentStatus(status)) return undefined;
  return {
    code: 'payment_pending',
    message: typeof message === 'string' ? message : '',
    paymentId,
    status,
    checkStatusUrl,
    retryAfterSeconds:
      typeof retryAfterSeconds === 'number'
        ? retryAfterSeconds
        : (parseRetryAfter(headers.get('retry-after')) ?? 1),
  };
}

const REQUIRED_STRINGS = [
  'paymentId',
  'txid',
  'payer',
  'route',
  'asset',
  'amount',
  'network',
  'createdAt',
  'updatedAt',
  'checkStatusUrl',
] as const;
const OPTIONAL_STRINGS = ['terminalReason', 'confirmedAt', 'owedAmount'] as const;

/** Returns why `value` is not a PaymentStatusReport, or undefined when it is one. */
export function describeInvalidStatusReport(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (!isPaymentStatus(value.status)) return `status ${JSON.stringify(value.status)} is unknown`;
  for (const field of REQUIRED_STRINGS) {
    if (typeof value[field] !== 'string') return `${field} is not a string`;
  }
  for (const field of OPTIONAL_STRINGS) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      return `${field} is not a string`;
    }
  }
  if (value.blockHeight !== undefined && typeof value.blockHeight !== 'number') {
    return 'blockHeight is not a number';
  }
  if (
    value.delivery !== undefined &&
    value.delivery !== 'mempool' &&
    value.delivery !== 'confirmed'
  ) {
    return 'delivery is neither "mempool" nor "confirmed"';
  }
  if (value.delivered !== undefined && typeof value.delivered !== 'boolean') {
    return 'delivered is not a boolean';
  }
  if (!Array.isArray(value.history)) return 'history is not an array';
  const badEvent = value.history.findIndex(
    (event: unknown) =>
      !isObject(event) ||
      !isPaymentStatus(event.status) ||
      typeof event.at !== 'string' ||
      (event.reason !== undefined && typeof event.reason !== 'string'),
  );
  return badEvent === -1 ? undefined : `history[${badEvent}] is not {status, at, reason?}`;
}

/**
 * The status URL for a payment id (`{apiUrl}/payment-status/{id}`), or the URL itself when given
 * one (a `checkStatusUrl`).
 */
export function paymentStatusUrl(paymentIdOrUrl: string, apiUrl: string | undefined): string {
  if (/^https?:\/\//i.test(paymentIdOrUrl)) return paymentIdOrUrl;
  if (!/^[A-Za-z0-9_-]+$/.test(paymentIdOrUrl)) {
    throw new X402ClientError(
      'invalid_argument',
      `${JSON.stringify(paymentIdOrUrl)} is neither a payment id (pay_...) nor a status URL`,
    );
  }
  if (apiUrl === undefined) {
    throw new X402ClientError(
      'invalid_argument',
      'a bare payment id needs the apiUrl option; pass the checkStatusUrl instead',
    );
  }
  return `${apiUrl.replace(/\/+$/, '')}${PAYMENT_STATUS_PATH}${paymentIdOrUrl}`;
}

/**
 * `GET` a payment's status (free). Throws `payment_not_found` on 404, `payment_status_unavailable`
 * when the answer is not a status report, `resource_unreachable` when nothing answers.
 */
export async function fetchPaymentStatus(
  fetchFn: FetchFunction,
  url: string,
  signal?: AbortSignal,
): Promise<PaymentStatusReport> {
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' }, signal });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new X402ClientError('resource_unreachable', `cannot reach ${url}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 404) {
    const message = isObject(body) && typeof body.message === 'string' ? `: ${body.message}` : '';
    throw new X402ClientError('payment_not_found', `GET ${url} answered 404${message}`);
  }
  if (response.status !== 200) {
    throw new X402ClientError(
      'payment_status_unavailable',
      `GET ${url} answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }
  const invalid = describeInvalidStatusReport(body);
  if (invalid !== undefined) {
    throw new X402ClientError('payment_status_unavailable', `GET ${url}: the status ${invalid}`);
  }
  return body as PaymentStatusReport;
}
