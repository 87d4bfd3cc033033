/**
 * x402 v2 protocol types (transport-agnostic). Field names follow the x402 v2 specification;
 * DESIGN section 3 lists how we fill them for Stacks.
 */

export const X402_VERSION = 2;

/** HTTP header names of the x402 v2 HTTP transport (lower case, as Headers returns them). */
export const PAYMENT_REQUIRED_HEADER = 'payment-required';
export const PAYMENT_SIGNATURE_HEADER = 'payment-signature';
/** Legacy name of `payment-signature`, still sent by older clients. */
export const LEGACY_PAYMENT_HEADER = 'x-payment';
export const PAYMENT_RESPONSE_HEADER = 'payment-response';
export const PAYMENT_ID_HEADER = 'x-payment-id';
/** The paid answer's transaction id (`0x` + 64 hex), as the aibtc MCP tool reads it. */
export const TRANSACTION_ID_HEADER = 'x-transaction-id';
export const PAYER_ADDRESS_HEADER = 'x-payer-address';
export const TOKEN_TYPE_HEADER = 'x-payment-token-type';
/** Where `GET /payment-status/{paymentId}` of this payment is (the checkStatusUrl). */
export const PAYMENT_STATUS_URL_HEADER = 'x-payment-status-url';

export interface PaymentRequirementsExtra {
  tokenType: string;
  /** Contract principal of a SIP-010 token; absent for STX. */
  tokenContract?: string;
  decimals: number;
  pricingTier: string;
  [key: string]: unknown;
}

export interface PaymentRequirements {
  scheme: 'exact';
  /** CAIP-2 network id: `stacks:1` or `stacks:2147483648`. */
  network: string;
  /** Decimal string in atomic units. */
  amount: string;
  /** `"STX"` or a bare contract principal. */
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra: PaymentRequirementsExtra;
}

export interface ResourceInfo {
  url: string;
  description?: string;
  mimeType?: string;
}

export interface PaymentRequired {
  x402Version: number;
  error?: string;
  resource: ResourceInfo;
  accepts: PaymentRequirements[];
  extensions?: Record<string, unknown>;
}

export interface PaymentPayload {
  x402Version: number;
  resource?: ResourceInfo;
  accepted: PaymentRequirements;
  payload: { transaction: string };
  extensions?: Record<string, unknown>;
}

export interface SettlementResponse {
  success: boolean;
  errorReason?: string;
  payer?: string;
  /** Transaction id, `0x`-prefixed hex; empty when nothing was broadcast. */
  transaction: string;
  network: string;
  extensions?: Record<string, unknown>;
}
