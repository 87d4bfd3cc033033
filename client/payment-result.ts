/**
 * The result of a call that sent a payment: the last HTTP answer, plus what was learnt on the way
 * (the receipt, the payment id and where to follow it, the 202 and the statuses polled).
 */
import {
  PAYER_ADDRESS_HEADER,
  PAYMENT_ID_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_STATUS_URL_HEADER,
  type PaymentRequired,
} from '../src/payment/protocol';
import type { SentPayment, X402Result } from './client-api';
import type { PaidOutcome } from './paid-request';
import { decodeSettlementResponse } from './payment-required';
import { PAYMENT_STATUS_PATH } from './payment-status';

/** The result of a sent payment, from the last answer and what was learnt on the way. */
export function paymentResult(
  outcome: PaidOutcome,
  url: string,
  sent: { paymentRequired: PaymentRequired; payment: SentPayment; paymentIdentifier: string },
): X402Result {
  const { response, pending, paymentStatus } = outcome;
  const { status, headers, body } = response;
  const paymentId =
    headers.get(PAYMENT_ID_HEADER) ?? pending?.paymentId ?? paymentStatus?.paymentId;
  const trail = {
    ...sent,
    paymentResponse: decodeSettlementResponse(headers.get(PAYMENT_RESPONSE_HEADER)),
    paymentId,
    checkStatusUrl:
      headers.get(PAYMENT_STATUS_URL_HEADER) ??
      pending?.checkStatusUrl ??
      paymentStatus?.checkStatusUrl ??
      (paymentId === undefined ? undefined : new URL(PAYMENT_STATUS_PATH + paymentId, url).href),
    payer: headers.get(PAYER_ADDRESS_HEADER) ?? undefined,
    pending,
    paymentStatus,
  };
  if (outcome.type === 'failed') {
    const final = outcome.paymentStatus;
    const reason = final.terminalReason === undefined ? '' : ` (${final.terminalReason})`;
    return {
      type: 'payment_failed',
      message: `payment ${final.paymentId} ended ${final.status}${reason}: nothing was delivered, and nothing more was paid`,
      status,
      headers,
      body,
      ...trail,
      paymentId: outcome.pending.paymentId,
      pending: outcome.pending,
      paymentStatus: final,
    };
  }
  return { type: 'response', status, headers, body, ...trail };
}
