import { jsonError } from './http-responses';

/**
 * `409 payment_identifier_in_progress`: another request holds this payment and has not answered
 * yet. The same request with the same payment, sent again after `retry-after`, gets its outcome
 * (or takes the payment over, should that request have died before its broadcast).
 */
export function paymentInProgress(viaIdentifier: boolean): Response {
  return jsonError(
    409,
    'payment_identifier_in_progress',
    viaIdentifier
      ? 'A request with this payment-identifier is being processed; retry it in a moment (nothing was charged).'
      : 'This payment is being processed by another request; retry in a moment.',
    { 'retry-after': '1' },
  );
}
