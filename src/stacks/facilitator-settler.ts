/**
 * The `facilitator` settler: `POST {FACILITATOR_URL}/settle` with
 * `{x402Version: 2, paymentPayload, paymentRequirements}` (what x402 facilitators and the Stacks
 * sponsor relay accept), answered `{success, errorReason?, payer?, transaction, network}`.
 *
 * Classified by exact codes, never by substrings: the codes below mean the facilitator did not
 * broadcast (nothing charged); any other failure, a 5xx or a timeout is "unknown", because the
 * transaction may be in a mempool.
 */
import type { PaymentErrorCode } from '../payment/errors';
import type { SettleOutcome, Settler } from '../payment/settler';
import type { VerifiedPayment } from '../payment/types';

const DEFINITE_REJECTIONS: ReadonlySet<PaymentErrorCode> = new Set<PaymentErrorCode>([
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
]);

export interface FacilitatorSettlerOptions {
  facilitatorUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class FacilitatorSettler implements Settler {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: FacilitatorSettlerOptions) {
    this.#url = `${options.facilitatorUrl.replace(/\/+$/, '')}/settle`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async settle(payment: VerifiedPayment): Promise<SettleOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          x402Version: 2,
          paymentPayload: payment.payload,
          paymentRequirements: payment.requirement,
        }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return {
        type: 'unknown',
        code: 'unexpected_settle_error',
        detail: timedOut
          ? `the facilitator did not answer within ${this.#timeoutMs} ms`
          : `the facilitator is unreachable: ${(error as Error).message}`,
      };
    }
    const text = await response.text();
    let body: { success?: unknown; errorReason?: unknown; transaction?: unknown } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (response.status >= 500 || !body || typeof body.success !== 'boolean') {
      return {
        type: 'unknown',
        code: 'unexpected_settle_error',
        detail: `the facilitator answered ${response.status}`,
      };
    }
    if (body.success) {
      const txid =
        typeof body.transaction === 'string'
          ? body.transaction.replace(/^0x/i, '').toLowerCase()
          : '';
      if (txid !== payment.txid) {
        return {
          type: 'unknown',
          code: 'unexpected_settle_error',
          detail: `the facilitator settled another transaction (${String(body.transaction)})`,
        };
      }
      return { type: 'settled', txid };
    }
    const reason = typeof body.errorReason === 'string' ? body.errorReason : '';
    if (DEFINITE_REJECTIONS.has(reason as PaymentErrorCode)) {
      return {
        type: 'rejected',
        code: reason as PaymentErrorCode,
        detail: `the facilitator refused the payment: ${reason}`,
      };
    }
    return {
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: `the facilitator answered ${reason || 'no reason'}`,
    };
  }
}
