/**
 * Can this payment be mined next? (DESIGN section 5, `mempool` delivery.) A Stacks node admits a
 * transaction whose nonce is ahead of the payer's next one, but never mines it until the nonces
 * below it are filled: served at `mempool`, such a payment would be an answer that is never paid
 * for. A payment is minable next when its nonce is the payer's next nonce, counting the payer's
 * own pending transactions ahead of it in order: no nonce below it is missing.
 */
import type { PayerNonces } from '../stacks/stacks-api';

export type NonceOrder =
  /** No nonce below it is missing: it is mined once the payer's pending ones before it are. */
  | { type: 'minable' }
  /** A nonce below it is neither executed nor pending: it cannot be mined until that is filled. */
  | { type: 'gap'; expected: bigint };

/**
 * Whether a transaction with `nonce` can be mined next. A nonce already executed or carried by a
 * pending transaction is `minable` here: the node refuses or replaces it, which is its call.
 */
export function nonceOrder(nonces: PayerNonces, nonce: bigint): NonceOrder {
  const firstUnexecuted =
    nonces.lastExecutedNonce === null ? 0n : BigInt(nonces.lastExecutedNonce) + 1n;
  let expected: bigint | undefined;
  for (const missing of nonces.missingNonces) {
    const n = BigInt(missing);
    if (n >= firstUnexecuted && n < nonce && (expected === undefined || n < expected)) expected = n;
  }
  const next = BigInt(nonces.possibleNextNonce);
  if (expected === undefined && nonce > next) expected = next;
  return expected === undefined ? { type: 'minable' } : { type: 'gap', expected };
}
