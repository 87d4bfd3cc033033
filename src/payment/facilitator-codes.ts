/**
 * The x402 / Stacks relay facilitator vocabulary: every `invalidReason` and `errorReason` a
 * facilitator answers is one of these. The facilitator settler reads it (a refusal with one of
 * the rejection codes means nothing was broadcast) and the devnet's facilitator writes it.
 */
import type { PaymentErrorCode } from './errors';

/** Codes that mean the facilitator refused before broadcasting: nothing was charged. */
export const FACILITATOR_REJECTION_CODES = [
  'invalid_payload',
  'invalid_network',
  'invalid_scheme',
  'invalid_x402_version',
  'invalid_payment_requirements',
  'unrecognized_asset',
  'recipient_mismatch',
  'amount_insufficient',
  'sender_mismatch',
  'signature_validation_failed',
  'insufficient_funds',
  'client_bad_nonce',
  'conflicting_nonce',
  'broadcast_failed',
] as const satisfies readonly PaymentErrorCode[];

/** The whole vocabulary: the rejections, and the one code whose outcome is unknown. */
export const FACILITATOR_ERROR_CODES = [
  ...FACILITATOR_REJECTION_CODES,
  'unexpected_settle_error',
] as const satisfies readonly PaymentErrorCode[];

export type FacilitatorRejectionCode = (typeof FACILITATOR_REJECTION_CODES)[number];
export type FacilitatorErrorCode = (typeof FACILITATOR_ERROR_CODES)[number];

export function isFacilitatorRejection(code: string): code is FacilitatorRejectionCode {
  return (FACILITATOR_REJECTION_CODES as readonly string[]).includes(code);
}

export function isFacilitatorErrorCode(code: string): code is FacilitatorErrorCode {
  return (FACILITATOR_ERROR_CODES as readonly string[]).includes(code);
}
