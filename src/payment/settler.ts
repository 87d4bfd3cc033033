import type { PaymentErrorCode } from './errors';
import type { VerifiedPayment } from './types';

/**
 * How a verified payment reaches the chain (DESIGN section 5). The outcome distinguishes a
 * definite "no" (nothing was charged: the claim may be released) from "unknown" (a timeout or a
 * 5xx: the transaction may be in a mempool, so the claim is kept).
 */
export type SettleOutcome =
  | { type: 'settled'; txid: string }
  | {
      type: 'rejected';
      code: PaymentErrorCode;
      detail: string;
      /**
       * The node refused a nonce and did not say it was the origin's (a sponsor's nonce that is
       * used or taken): a sponsored payment may be signed again with a fresh sponsor nonce.
       */
      sponsorNonceSuspect?: boolean;
    }
  | { type: 'unknown'; code: PaymentErrorCode; detail: string };

export interface Settler {
  settle(payment: VerifiedPayment): Promise<SettleOutcome>;
}
