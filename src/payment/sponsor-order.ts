/**
 * The sponsor's side of "can this payment be mined next" (DESIGN section 5). A sponsored
 * transaction spends two nonces, the payer's and our sponsor's, and a node mines it only when both
 * are next in their sequences. A node admits a transaction whose sponsor nonce is ahead of the
 * sponsor's next one, so a sponsor nonce lost below it (a broadcast that never landed, a dropped
 * transaction) would leave every later sponsored payment delivered at `mempool` and never mined.
 *
 * - At delivery (`sponsoredDeliveryMinable`): a payment the Worker sponsored is delivered at
 *   `mempool` only when the Stacks API shows no missing sponsor nonce below its own; otherwise on
 *   confirmation. Sponsored payments broadcast at the same moment fill each other's gaps within
 *   moments, so the API is asked again for a short while before falling back.
 * - After delivery (`sponsorGapOf`, `returnLostSponsorNonce`): the tracker watches the sponsor's
 *   sequence too, gives a lost payment's unused sponsor nonce back to the lease book, and fails a
 *   delivered payment stuck behind the sponsor's gap as the operator's loss, not the payer's.
 */
import type { ServiceConfig } from '../config';
import type { ChainReader, NonceLookup, PayerNonces } from '../stacks/stacks-api';
import type { PaidRequest } from './delivery';
import { nonceOrder } from './nonce-order';
import { type SettleContext, sponsorNonceStore } from './sponsorship';

/** How long a sponsored delivery waits for the API to show no gap below its sponsor nonce. */
export const SPONSOR_ORDER_WAIT_MS = 2000;
const SPONSOR_ORDER_POLL_MS = 250;

/** The sponsor's nonces read before the broadcast, and the sponsor nonce they were read for. */
export interface SponsorNonceView {
  nonces: NonceLookup;
  nonce: number;
}

/**
 * After a successful broadcast: may this payment be delivered at `mempool` as far as the sponsor's
 * nonces go? True for a payment the Worker did not sponsor.
 */
export async function sponsoredDeliveryMinable(
  context: SettleContext,
  seen: SponsorNonceView | undefined,
  waitMs = context.deps.sponsorOrderWaitMs ?? SPONSOR_ORDER_WAIT_MS,
): Promise<boolean> {
  const sponsorship = context.payment.sponsorship;
  if (sponsorship?.mode !== 'worker') return true;
  const nonce = BigInt(sponsorship.nonce);
  // Read before the broadcast for this very nonce, with nothing missing below it: as for a payer,
  // that view holds (the node would have refused a nonce taken meanwhile).
  if (
    seen?.nonce === sponsorship.nonce &&
    seen.nonces.type === 'found' &&
    nonceOrder(seen.nonces, nonce).type === 'minable'
  ) {
    return true;
  }
  const chain = context.deps.chainFor(context.config);
  const until = Date.now() + waitMs;
  for (;;) {
    const nonces = await chain.getNonces(sponsorship.sponsor);
    if (nonces.type === 'found' && nonceOrder(nonces, nonce).type === 'minable') return true;
    if (Date.now() + SPONSOR_ORDER_POLL_MS > until) return false;
    await new Promise((resolve) => setTimeout(resolve, SPONSOR_ORDER_POLL_MS));
  }
}

/**
 * A payment the Worker sponsored is delivered at `mempool` only if no sponsor nonce is missing
 * below its own; otherwise, like a payment the chain cannot vouch for, on confirmation. Nothing is
 * refused: the broadcast was accepted, and the gap is ours to fill.
 */
export async function requireMinableSponsorNonce(
  paid: PaidRequest,
  context: SettleContext,
): Promise<void> {
  if (paid.delivery !== 'mempool' || paid.payment.sponsorship?.mode !== 'worker') return;
  if (await sponsoredDeliveryMinable(context, paid.sponsorView)) return;
  paid.delivery = 'confirmed';
  paid.deliveryChanged = true;
}

/** What a tracker knows of a payment our Worker sponsored. */
export interface TrackedSponsor {
  sponsor: string;
  nonce: number;
  originTxid: string;
}

export type SponsorGap =
  | { type: 'minable' }
  | { type: 'gap'; expected: bigint; nonces: PayerNonces }
  | { type: 'unknown' };

/** Whether the sponsor's nonce of a pending sponsored transaction waits behind a missing one. */
export async function sponsorGapOf(api: ChainReader, sponsor: TrackedSponsor): Promise<SponsorGap> {
  const lookup = await api.getNonces(sponsor.sponsor);
  if (lookup.type !== 'found') return { type: 'unknown' };
  const order = nonceOrder(lookup, BigInt(sponsor.nonce));
  if (order.type === 'minable') return { type: 'minable' };
  const { type: _found, ...nonces } = lookup;
  return { type: 'gap', expected: order.expected, nonces };
}

/**
 * A sponsored payment ended lost: its sponsor nonce goes back to the lease book if the chain has
 * not used it, to be handed out (and the gap filled) first. True when it was given back.
 */
export async function returnLostSponsorNonce(
  env: Env,
  config: ServiceConfig,
  api: ChainReader,
  sponsor: TrackedSponsor,
): Promise<boolean> {
  const lookup = await api.getNonces(sponsor.sponsor);
  if (lookup.type !== 'found') return false;
  const { type: _found, ...nonces } = lookup;
  const store = sponsorNonceStore(env, config.network, sponsor.sponsor);
  return store.reclaim(sponsor.originTxid, sponsor.nonce, nonces);
}

/** The tracker saw a gap in the sponsor's nonces: lost leases go back, for the next payment to fill. */
export async function syncSponsorBook(
  env: Env,
  config: ServiceConfig,
  sponsor: string,
  nonces: PayerNonces,
): Promise<void> {
  await sponsorNonceStore(env, config.network, sponsor).sync(nonces);
}
