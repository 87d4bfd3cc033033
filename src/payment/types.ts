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

/**
 * Who completes a sponsored payment. `worker`: the Worker signed as sponsor, and `txid` and
 * `transaction` are the sponsored ones; `facilitator`: the payload goes to the facilitator as the
 * payer signed it, and the facilitator's txid replaces `txid` once it settles.
 */
export type PaymentSponsorship =
  | {
      mode: 'worker';
      /** The txid of the bytes the payer signed: the key of the sponsor nonce lease. */
      originTxid: string;
      sponsor: string;
      nonce: number;
      fee: bigint;
    }
  | { mode: 'facilitator'; originTxid: string };

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
  /** Raw transaction bytes, exactly as presented (and re-serialised), or as sponsored. */
  transaction: Uint8Array;
  /** Present for a sponsored payment. */
  sponsorship?: PaymentSponsorship;
}

export type VerifyOutcome =
  | {
      type: 'verified';
      payer: string;
      txid: string;
      nonce: bigint;
      amount: bigint;
      transaction: Uint8Array;
      /** Signed by the origin for a sponsor to complete (fee 0, sponsored auth). */
      sponsored: boolean;
    }
  | { type: 'rejected'; code: PaymentErrorCode; detail: string };
