/** The HTTP answers of the payment gate: 402 challenges, 202 pending, receipts and 409s. */
import { PAYMENT_ERROR_MESSAGES, type PaymentErrorCode } from './errors';
import { encodeBase64Json } from './header-codec';
import {
  PAYER_ADDRESS_HEADER,
  PAYMENT_ID_HEADER,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_STATUS_URL_HEADER,
  type PaymentRequirements,
  type SettlementResponse,
  TRANSACTION_ID_HEADER,
} from './protocol';
import { buildPaymentRequired } from './requirements';

export interface Challenge {
  accepts: PaymentRequirements[];
  resourceUrl: string;
  description?: string;
  extensions: Record<string, unknown>;
}

/** The receipt's identity of a payment. */
export interface PaymentRef {
  paymentId: string;
  payer: string;
  txid: string;
  network: string;
}

export function checkStatusUrl(requestUrl: string, paymentId: string): string {
  return new URL(`/payment-status/${paymentId}`, requestUrl).href;
}

export function paymentRequired(
  challenge: Challenge,
  code: PaymentErrorCode,
  detail?: string,
  settlement?: SettlementResponse,
): Response {
  const body = buildPaymentRequired({ ...challenge, error: code });
  const headers = new Headers({
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    [PAYMENT_REQUIRED_HEADER]: encodeBase64Json(body),
  });
  if (settlement) headers.set(PAYMENT_RESPONSE_HEADER, encodeBase64Json(settlement));
  const message = detail
    ? `${PAYMENT_ERROR_MESSAGES[code]} (${detail})`
    : PAYMENT_ERROR_MESSAGES[code];
  return new Response(JSON.stringify({ ...body, code, message }), { status: 402, headers });
}

export function settlementResponse(
  payment: PaymentRef,
  requestUrl: string,
  errorReason?: PaymentErrorCode,
): SettlementResponse {
  return {
    success: errorReason === undefined,
    ...(errorReason ? { errorReason } : {}),
    payer: payment.payer,
    transaction: `0x${payment.txid}`,
    network: payment.network,
    extensions: {
      'payment-status': {
        paymentId: payment.paymentId,
        checkStatusUrl: checkStatusUrl(requestUrl, payment.paymentId),
      },
    },
  };
}

/** The paid answer: the handler's response with the receipt headers. */
export function withReceipt(response: Response, payment: PaymentRef, requestUrl: string): Response {
  const receipt = new Response(response.body, response);
  receipt.headers.set(
    PAYMENT_RESPONSE_HEADER,
    encodeBase64Json(settlementResponse(payment, requestUrl)),
  );
  receipt.headers.set(PAYMENT_ID_HEADER, payment.paymentId);
  receipt.headers.set(TRANSACTION_ID_HEADER, `0x${payment.txid}`);
  receipt.headers.set(PAYER_ADDRESS_HEADER, payment.payer);
  receipt.headers.set(PAYMENT_STATUS_URL_HEADER, checkStatusUrl(requestUrl, payment.paymentId));
  receipt.headers.set('cache-control', 'no-store');
  return receipt;
}

export const RETRY_AFTER_SECONDS = 5;

/** 202: paid, not deliverable yet; retrying the same request with the same payment collects it. */
export function paymentPending(
  payment: PaymentRef,
  requestUrl: string,
  status: string,
  why: string,
): Response {
  const statusUrl = checkStatusUrl(requestUrl, payment.paymentId);
  return new Response(
    JSON.stringify({
      code: 'payment_pending',
      message: `${why} Retry the same request with the same payment-signature to collect the result (no second charge), or poll checkStatusUrl.`,
      paymentId: payment.paymentId,
      status,
      checkStatusUrl: statusUrl,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    }),
    {
      status: 202,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'retry-after': String(RETRY_AFTER_SECONDS),
        [PAYMENT_ID_HEADER]: payment.paymentId,
        [PAYER_ADDRESS_HEADER]: payment.payer,
        [PAYMENT_STATUS_URL_HEADER]: statusUrl,
      },
    },
  );
}

export function jsonError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ code, message }), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  });
}
