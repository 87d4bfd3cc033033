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
export { type PaymentRefusalCode, X402ClientError, type X402ClientErrorCode } from './errors';
export {
  decodePaymentRequired,
  decodeSettlementResponse,
  type PaymentRequiredDecoding,
  validatePaymentRequired,
} from './payment-required';
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
export { type FetchFunction, fetchFeeRate, fetchNextNonce } from './stacks-api';
export {
  createX402Client,
  DEFAULT_MAX_FEE,
  type SentPayment,
  type X402Client,
  type X402ClientOptions,
  type X402Refusal,
  type X402Response,
  type X402Result,
} from './x402-client';
