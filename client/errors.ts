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
  /** The chosen requirement costs more than the caller's `maxAmount`. */
  | 'amount_above_cap'
  /** The transaction fee would be higher than the caller's `maxFee`. */
  | 'fee_above_cap';

export type X402ClientErrorCode =
  /** Bad options given to `createX402Client` (private key, URLs, caps). */
  | 'invalid_options'
  /** The paid API did not answer at all (connection refused, DNS, TLS). */
  | 'resource_unreachable'
  /** The Stacks API (nonce and fee rate) did not answer at all. */
  | 'stacks_api_unreachable'
  /** The Stacks API answered, but not with what the client needs. */
  | 'stacks_api_error';

export class X402ClientError extends Error {
  override readonly name = 'X402ClientError';

  constructor(
    readonly code: X402ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
