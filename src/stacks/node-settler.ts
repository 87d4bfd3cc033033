/**
 * The `node` settler: broadcasts the raw transaction to a Stacks node
 * (`POST {STACKS_API_URL}/v2/transactions`, application/octet-stream) and maps the node's
 * rejection reasons (stacks-core `MemPoolRejection` names) to our error codes.
 */
import type { PaymentErrorCode } from '../payment/errors';
import type { SettleOutcome, Settler } from '../payment/settler';
import type { VerifiedPayment } from '../payment/types';
import {
  endpointUrl,
  isRecord,
  SettlementEndpoint,
  unknownSettleOutcome,
} from './settlement-endpoint';

const REJECTION_CODES: Record<string, PaymentErrorCode> = {
  BadNonce: 'client_bad_nonce',
  NotEnoughFunds: 'insufficient_funds',
  ConflictingNonceInMempool: 'conflicting_nonce',
  FeeTooLow: 'fee_too_low',
  SignatureValidation: 'signature_validation_failed',
  BadTransactionVersion: 'invalid_network',
  BadChainId: 'invalid_network',
  Deserialization: 'invalid_transaction',
  TooMuchChaining: 'too_many_pending',
};

/**
 * stacks-core names the principal of a BadNonce or TooMuchChaining (`is_origin` false: the
 * sponsor's); ConflictingNonceInMempool names nobody, so either nonce may be the one taken.
 */
function sponsorNonceSuspect(reason: string | undefined, data: Record<string, unknown>): boolean {
  if (reason === 'BadNonce' || reason === 'TooMuchChaining') return data.is_origin === false;
  return reason === 'ConflictingNonceInMempool';
}

export interface NodeSettlerOptions {
  stacksApiUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class NodeSettler implements Settler {
  readonly #endpoint: SettlementEndpoint;

  constructor(options: NodeSettlerOptions) {
    this.#endpoint = new SettlementEndpoint({
      url: endpointUrl(options.stacksApiUrl, '/v2/transactions'),
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      peer: 'the Stacks node',
    });
  }

  settle(payment: VerifiedPayment): Promise<SettleOutcome> {
    return this.broadcast(payment.transaction, payment.txid);
  }

  /** Broadcasts signed bytes whose txid is known (the tracker sends stored bytes again). */
  async broadcast(transaction: Uint8Array, expectedTxid: string): Promise<SettleOutcome> {
    const answer = await this.#endpoint.post('application/octet-stream', transaction);
    if (answer.type === 'unknown') return answer;
    const body = answer.json;
    if (answer.ok) {
      const txid = typeof body === 'string' ? body.replace(/^0x/i, '').toLowerCase() : '';
      if (txid !== expectedTxid) {
        return unknownSettleOutcome(
          `the Stacks node answered an unexpected body: ${answer.text.slice(0, 200)}`,
        );
      }
      return { type: 'settled', txid };
    }
    const reason = isRecord(body) && typeof body.reason === 'string' ? body.reason : undefined;
    const data = isRecord(body) && isRecord(body.reason_data) ? body.reason_data : {};
    const suspect = sponsorNonceSuspect(reason, data);
    // A chaining limit reached by our sponsor is not the payer's to wait out.
    const code =
      (reason && !(suspect && reason === 'TooMuchChaining') && REJECTION_CODES[reason]) ||
      'broadcast_failed';
    return {
      type: 'rejected',
      code,
      detail: reason
        ? `the Stacks node rejected the transaction: ${reason}`
        : `the Stacks node answered ${answer.status}`,
      ...(suspect ? { sponsorNonceSuspect: true } : {}),
    };
  }
}
