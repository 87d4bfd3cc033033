import type { DeliveryMode } from '../config';
import type { TokenType } from '../stacks/tokens';
import type { PaymentErrorCode } from './errors';
import type { PaymentPayload, PaymentRequirements } from './protocol';

export type PricingTier = 'free' | 'standard' | 'dynamic';
/** DESIGN section 5: `authorization` settles after the handler succeeds; `upfront` settles first. */
export type SettlementOrder = 'authorization' | 'upfront';

export interface RoutePricing {
  tier: PricingTier;
  order: SettlementOrder;
  /** Overrides the configured delivery mode for this route. */
  delivery?: DeliveryMode;
}

export interface VerifiedPayment {
  paymentId: string;
  payer: string;
  txid: string;
  nonce: bigint;
  token: TokenType;
  /** Atomic units the transaction transfers (at least the price). */
  amount: bigint;
  requirement: PaymentRequirements;
  /** The decoded payment header, as a facilitator needs it. */
  payload: PaymentPayload;
  /** Raw transaction bytes, exactly as presented (and re-serialised). */
  transaction: Uint8Array;
}

export type VerifyOutcome =
  | {
      type: 'verified';
      payer: string;
      txid: string;
      nonce: bigint;
      amount: bigint;
      transaction: Uint8Array;
    }
  | { type: 'rejected'; code: PaymentErrorCode; detail: string };
