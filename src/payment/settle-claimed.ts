/**
 * A payment this request holds the claim of, on its way to settlement: by the request that
 * claimed it, or by a retry that took it over from a request that died (stale-queued.ts).
 */
import type { NonceLookup } from '../stacks/stacks-api';
import {
  type PaidRequest,
  releaseNothingCharged,
  serveThenSettle,
  settleThenServe,
} from './delivery';
import { paymentRequired } from './http-responses';
import { nonceOrder } from './nonce-order';

/** Checks the payment can be mined next, then settles it in the route's order. */
export async function settleClaimed(paid: PaidRequest, nonces: NonceLookup): Promise<Response> {
  const { payment } = paid;
  // DESIGN section 5: a node admits a transaction ahead of the payer's next nonce but never
  // mines it across the gap. Refused before broadcasting, it costs the payer nothing.
  if (nonces.type === 'found') {
    const order = nonceOrder(nonces, payment.nonce);
    if (order.type === 'gap') {
      await releaseNothingCharged(paid);
      return paymentRequired(
        paid.challenge,
        'client_bad_nonce',
        `the transaction has nonce ${payment.nonce} but the payer's next nonce is ${order.expected} (nonces in between are neither executed nor pending), so it cannot be mined; sign the payment with nonce ${order.expected}`,
      );
    }
  } else {
    deliverOnConfirmation(paid);
  }
  paid.c.set('payment', payment);
  return paid.order === 'upfront' ? settleThenServe(paid) : serveThenSettle(paid);
}

/** The chain cannot vouch that the payment will be mined next: deliver it once confirmed. */
export function deliverOnConfirmation(paid: PaidRequest): void {
  if (paid.delivery !== 'mempool') return;
  paid.delivery = 'confirmed';
  paid.deliveryChanged = true;
}
