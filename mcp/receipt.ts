/** The receipt of a paid call, from what the client signed and what the server answered. */
import type { PaymentTrail, SentPayment, SettlementResponse } from '../client';
import type { TokenType } from '../src/stacks/tokens';
import { formatTokenAmount } from './price-options';

export interface PaymentReceipt {
  /** The id for `get_payment_status`. */
  paymentId?: string;
  /** `0x`-prefixed id of the payment transaction. */
  txid: string;
  token: TokenType;
  /** Atomic units paid, a decimal string. */
  amount: string;
  /** The same in whole tokens, e.g. `0.001 STX`. */
  display: string;
  asset: string;
  payer: string;
  payTo: string;
  network: string;
  /** Transaction fee, µSTX, a decimal string. */
  fee: string;
  /** Repeat the call with this to collect its result without paying twice. */
  paymentIdentifier?: string;
  checkStatusUrl?: string;
  /** The decoded `payment-response` header, when the server sent one. */
  settlement?: SettlementResponse;
}

export function receiptOf(trail: PaymentTrail & { payment: SentPayment }): PaymentReceipt {
  const { payment } = trail;
  const { requirement } = payment;
  return {
    paymentId: trail.paymentId,
    txid: payment.txid,
    token: payment.tokenType,
    amount: requirement.amount,
    display: formatTokenAmount(BigInt(requirement.amount), payment.tokenType),
    asset: requirement.asset,
    payer: payment.from,
    payTo: requirement.payTo,
    network: requirement.network,
    fee: payment.fee.toString(),
    paymentIdentifier: trail.paymentIdentifier,
    checkStatusUrl: trail.checkStatusUrl,
    settlement: trail.paymentResponse,
  };
}
