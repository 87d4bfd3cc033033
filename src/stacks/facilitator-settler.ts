/**
 * The `facilitator` settler: `POST {FACILITATOR_URL}/settle` with
 * `{x402Version: 2, paymentPayload, paymentRequirements}` (what x402 facilitators and the Stacks
 * sponsor relay accept), answered `{success, errorReason?, payer?, transaction, network}`.
 *
 * Classified by exact codes, never by substrings: the facilitator's rejection codes
 * (src/payment/facilitator-codes.ts) mean it did not broadcast (nothing charged); any other
 * failure, a 5xx or a timeout is "unknown", because the transaction may be in a mempool.
 */
import { isFacilitatorRejection } from '../payment/facilitator-codes';
import type { SettleOutcome, Settler } from '../payment/settler';
import type { VerifiedPayment } from '../payment/types';
import {
  endpointUrl,
  isRecord,
  SettlementEndpoint,
  unknownSettleOutcome,
} from './settlement-endpoint';

export interface FacilitatorSettlerOptions {
  facilitatorUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class FacilitatorSettler implements Settler {
  readonly #endpoint: SettlementEndpoint;

  constructor(options: FacilitatorSettlerOptions) {
    this.#endpoint = new SettlementEndpoint({
      url: endpointUrl(options.facilitatorUrl, '/settle'),
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      peer: 'the facilitator',
    });
  }

  async settle(payment: VerifiedPayment): Promise<SettleOutcome> {
    const answer = await this.#endpoint.post(
      'application/json',
      JSON.stringify({
        x402Version: 2,
        paymentPayload: payment.payload,
        paymentRequirements: payment.requirement,
      }),
    );
    if (answer.type === 'unknown') return answer;
    const body = answer.json;
    if (!isRecord(body) || typeof body.success !== 'boolean') {
      return this.#endpoint.unexpectedAnswer(answer.status);
    }
    if (body.success) {
      const txid =
        typeof body.transaction === 'string'
          ? body.transaction.replace(/^0x/i, '').toLowerCase()
          : '';
      // A facilitator that sponsors settles its own sponsored transaction, with its own txid.
      if (txid !== payment.txid && !(payment.sponsorship?.mode === 'facilitator' && txid)) {
        return unknownSettleOutcome(
          `the facilitator settled another transaction (${String(body.transaction)})`,
        );
      }
      return { type: 'settled', txid };
    }
    const reason = typeof body.errorReason === 'string' ? body.errorReason : '';
    if (isFacilitatorRejection(reason)) {
      return {
        type: 'rejected',
        code: reason,
        detail: `the facilitator refused the payment: ${reason}`,
      };
    }
    return unknownSettleOutcome(`the facilitator answered ${reason || 'no reason'}`);
  }
}
