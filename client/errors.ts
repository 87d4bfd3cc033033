/**
 * Failures of the paying client. Two kinds, kept apart on purpose:
 * - a refusal (the client decided not to pay: wrong network, price above the cap, ...) is an
 *   ordinary outcome, returned as `{type: 'refused', code, message}` by `X402Client.fetch`;
 * - a transport or configuration failure (the API or the Stacks API cannot be reached, a bad
 *   private key) is thrown as an `X402ClientError`, as `fetch` itself throws when offline.
 */

/** Why the client declined to pay a 402. */
export type PaymentRefusalCode =
  /** The 402 is not a well-formed x402 v2 PaymentRequired. */
  | 'invalid_payment_required'
  /** No requirement is on the Stacks network this client is configured for. */
  | 'network_mismatch'
  /** No requirement on this network asks for a token this client can pay (STX, sBTC, USDCx). */
  | 'unsupported_asset'
  /** The chosen requirement costs more than the caller's `maxAmount` or `maxAmountPerCall`. */
  | 'amount_above_cap'
  /** Paying would take this client past its `budget` for the token. */
  | 'budget_exceeded'
  /** The transaction fee would be higher than the caller's `maxFee`. */
  | 'fee_above_cap';

export type X402ClientErrorCode =
  /** Bad options given to `createX402Client` (private key, URLs, caps). */
  | 'invalid_options'
  /** A bad argument to a client method (a payment id, a `paymentIdentifier`). */
  | 'invalid_argument'
  /** The paid API did not answer at all (connection refused, DNS, TLS, timeouts). */
  | 'resource_unreachable'
  /** `GET /payment-status/{paymentId}` answered 404: the server knows no such payment. */
  | 'payment_not_found'
  /** The payment status endpoint answered, but not with a status report. */
  | 'payment_status_unavailable'
  /** The Stacks API (nonce and fee rate) did not answer at all. */
  | 'stacks_api_unreachable'
  /** The Stacks API answered, but not with what the client needs. */
  | 'stacks_api_error';

export class X402ClientError extends Error {
  override readonly name = 'X402ClientError';

  /**
   * Set when a payment was signed and sent before the failure: the server may have it. Calling
   * again with this `paymentIdentifier` collects the result without paying twice.
   */
  readonly paymentIdentifier?: string;

  constructor(
    readonly code: X402ClientErrorCode,
    message: string,
    options?: { cause?: unknown; paymentIdentifier?: string },
  ) {
    super(message, options);
    if (options?.paymentIdentifier !== undefined) {
      this.paymentIdentifier = options.paymentIdentifier;
    }
  }
}
