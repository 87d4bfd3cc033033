/**
 * The paying x402 client for Stacks: `createX402Client` for most callers, and the steps it is
 * made of for callers that want to drive the protocol themselves.
 */
export type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettlementResponse,
} from '../src/payment/protocol';
export type { StacksNetworkName, TokenType } from '../src/stacks/tokens';
export type {
  PaidRequestResend,
  PaymentTrail,
  SentPayment,
  X402CallOptions,
  X402Client,
  X402ClientOptions,
  X402PaymentFailed,
  X402Refusal,
  X402Response,
  X402Result,
} from './client-api';
export { type PaymentRefusalCode, X402ClientError, type X402ClientErrorCode } from './errors';
export {
  isValidPaymentIdentifier,
  newPaymentIdentifier,
  PAYMENT_IDENTIFIER_EXTENSION_KEY,
  paymentIdentifierExtension,
} from './payment-identifier';
export {
  decodePaymentRequired,
  decodeSettlementResponse,
  type PaymentRequiredDecoding,
  validatePaymentRequired,
} from './payment-required';
export {
  fetchPaymentStatus,
  isDeliverableStatus,
  isFailedStatus,
  PAYMENT_STATUS_PATH,
  type PaymentPending,
  type PaymentStatus,
  type PaymentStatusEvent,
  type PaymentStatusReport,
  parsePaymentPending,
  paymentStatusUrl,
} from './payment-status';
export {
  buildPaymentTransaction,
  type FeeChoice,
  feeForLength,
  MIN_FEE,
  MIN_FEE_RATE,
  type PaymentTransactionSpec,
  type SignedPaymentTransaction,
} from './payment-transaction';
export {
  type RequirementPreferences,
  type RequirementSelection,
  selectRequirement,
  tokenTypeOf,
} from './select-requirement';
export {
  createSpendLedger,
  type SpendLedger,
  type TokenAmounts,
} from './spend-limits';
export { type FetchFunction, fetchFeeRate, fetchNextNonce } from './stacks-api';
export {
  createX402Client,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_MAX_FEE,
  DEFAULT_PAID_REQUEST_TIMEOUT_MS,
} from './x402-client';
