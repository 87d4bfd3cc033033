/**
 * The `node` settler: broadcasts the raw transaction to a Stacks node
 * (`POST {STACKS_API_URL}/v2/transactions`, application/octet-stream) and maps the node's
 * rejection reasons (stacks-core `MemPoolRejection` names) to our error codes.
 */
import type { PaymentErrorCode } from '../payment/errors';
import type { SettleOutcome, Settler } from '../payment/settler';
import type { VerifiedPayment } from '../payment/types';

const REJECTION_CODES: Record<string, PaymentErrorCode> = {
  BadNonce: 'client_bad_nonce',
  NotEnoughFunds: 'insufficient_funds',
  ConflictingNonceInMempool: 'conflicting_nonce',
  FeeTooLow: 'fee_too_low',
  SignatureValidation: 'signature_validation_failed',
  BadTransactionVersion: 'invalid_network',
  BadChainId: 'invalid_network',
  Deserialization: 'invalid_transaction',
};

export interface NodeSettlerOptions {
  stacksApiUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class NodeSettler implements Settler {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: NodeSettlerOptions) {
    this.#url = `${options.stacksApiUrl.replace(/\/+$/, '')}/v2/transactions`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async settle(payment: VerifiedPayment): Promise<SettleOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: payment.transaction,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return {
        type: 'unknown',
        code: 'unexpected_settle_error',
        detail: timedOut
          ? `the Stacks node did not answer within ${this.#timeoutMs} ms`
          : `the Stacks node is unreachable: ${(error as Error).message}`,
      };
    }
    const text = await response.text();
    if (response.status >= 500) {
      return {
        type: 'unknown',
        code: 'unexpected_settle_error',
        detail: `the Stacks node answered ${response.status}`,
      };
    }
    const body = parseJson(text);
    if (response.ok) {
      const txid = typeof body === 'string' ? body.replace(/^0x/i, '').toLowerCase() : '';
      if (txid !== payment.txid) {
        return {
          type: 'unknown',
          code: 'unexpected_settle_error',
          detail: `the Stacks node answered an unexpected body: ${text.slice(0, 200)}`,
        };
      }
      return { type: 'settled', txid };
    }
    const reason = isRecord(body) && typeof body.reason === 'string' ? body.reason : undefined;
    const code = (reason && REJECTION_CODES[reason]) || 'broadcast_failed';
    return {
      type: 'rejected',
      code,
      detail: reason
        ? `the Stacks node rejected the transaction: ${reason}`
        : `the Stacks node answered ${response.status}`,
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
