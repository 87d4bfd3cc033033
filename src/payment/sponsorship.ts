/**
 * Sponsored payments (DESIGN section 4 item 5): the payer signs with fee 0 and a sponsor
 * placeholder; the Worker, when it is configured to sponsor, leases a nonce from the one
 * SponsorNonces Durable Object, signs as sponsor within its fee policy and settles the sponsored
 * bytes. Every outcome of the broadcast goes back to the lease: a refused broadcast gives the
 * nonce back (no gap), an accepted or unknown one spends it, and a nonce the node calls wrong
 * re-synchronises the lease book from the chain and is signed again once.
 */
import type { ServiceConfig } from '../config';
import type { NonceAllocation } from '../durable-objects/sponsor-nonces';
import { signAsSponsor, sponsorFeeFor } from '../stacks/sponsor';
import type { ChainReader, NonceLookup, PayerNonces } from '../stacks/stacks-api';
import type { PaymentErrorCode } from './errors';
import type { PaymentDeps } from './gate';
import { nonceOrder } from './nonce-order';
import type { SettleOutcome } from './settler';
import type { PaymentSponsorship, VerifiedPayment } from './types';

/** The lease book of one sponsor (the SponsorNonces Durable Object in production). */
export interface SponsorNonceStore {
  allocate(originTxid: string, owner: string): Promise<NonceAllocation>;
  release(originTxid: string, owner: string): Promise<boolean>;
  spend(originTxid: string): Promise<void>;
  sync(chain: PayerNonces): Promise<void>;
  reclaim(originTxid: string, nonce: number, chain: PayerNonces): Promise<boolean>;
  refill(originTxid: string, owner: string, chain: PayerNonces): Promise<NonceAllocation>;
}

/** The SponsorNonces object of a sponsor: one per network and address. */
export function sponsorNonceStore(env: Env, network: string, sponsor: string): SponsorNonceStore {
  const namespace = env.SPONSOR_NONCES;
  return namespace.get(namespace.idFromName(`${network}:${sponsor}`));
}

function storeOf(deps: PaymentDeps, env: Env, config: ServiceConfig, sponsor: string) {
  return (deps.sponsorNoncesFor ?? sponsorNonceStore)(env, config.network, sponsor);
}

export type Sponsoring =
  | {
      type: 'sponsored';
      sponsorship: PaymentSponsorship;
      txid: string;
      transaction: Uint8Array;
      /** The sponsor's nonces as read while leasing (worker mode), for the delivery decision. */
      sponsorNonces?: NonceLookup;
    }
  /** Nothing to sponsor with (the chain or the lease book did not answer): a 503, uncharged. */
  | { type: 'unavailable'; detail: string }
  | { type: 'refused'; code: PaymentErrorCode; detail: string };

export interface SponsorRequest {
  deps: PaymentDeps;
  env: Env;
  config: ServiceConfig;
  paymentId: string;
  /** The txid and bytes the payer signed. */
  originTxid: string;
  originBytes: Uint8Array;
}

/** Completes a verified sponsored payment: as the Worker (signed here) or for the facilitator. */
export async function sponsorPayment(request: SponsorRequest): Promise<Sponsoring> {
  const { config, originTxid, originBytes } = request;
  const policy = config.sponsorship;
  if (policy?.mode === 'facilitator') {
    return {
      type: 'sponsored',
      sponsorship: { mode: 'facilitator', originTxid },
      txid: originTxid,
      transaction: originBytes,
    };
  }
  if (!policy) return { type: 'refused', code: 'sponsored_not_allowed', detail: 'no sponsor' };
  const fee = sponsorFeeFor(policy, originBytes.length);
  if (fee === undefined) {
    return {
      type: 'refused',
      code: 'transaction_too_large',
      detail: `sponsoring ${originBytes.length} bytes costs more than this server's sponsor fee limit of ${policy.maxFeeMicroStx} microSTX`,
    };
  }
  const store = storeOf(request.deps, request.env, config, policy.address);
  const chain = request.deps.chainFor(config);
  // The chain's view is read beside the lease (no added latency): a lease above a gap in the
  // sponsor's nonces is moved down into the gap, so this payment fills it.
  const [allocation, sponsorNonces] = await Promise.all([
    store.allocate(originTxid, request.paymentId),
    chain.getNonces(policy.address),
  ]);
  let nonce: number | undefined;
  if (sponsorNonces.type === 'found') {
    const { type: _found, ...state } = sponsorNonces;
    if (allocation.type === 'unsynced') await store.sync(state);
    nonce = allocation.type === 'allocated' ? allocation.nonce : undefined;
    if (nonce === undefined || nonceOrder(sponsorNonces, BigInt(nonce)).type === 'gap') {
      const refilled = await store.refill(originTxid, request.paymentId, state);
      nonce = refilled.type === 'allocated' ? refilled.nonce : undefined;
    }
  } else if (allocation.type === 'allocated') {
    nonce = allocation.nonce;
  }
  if (nonce === undefined) {
    return {
      type: 'unavailable',
      detail: `the sponsor's nonce could not be read from the Stacks API`,
    };
  }
  const signed = await signAsSponsor(originBytes, policy, fee, nonce);
  return {
    type: 'sponsored',
    sponsorship: { mode: 'worker', originTxid, sponsor: policy.address, nonce, fee },
    txid: signed.txid,
    transaction: signed.bytes,
    sponsorNonces,
  };
}

/** The lease of `originTxid`, synchronising the book from the chain on first use. */
async function leaseNonce(
  store: SponsorNonceStore,
  chain: ChainReader,
  sponsor: string,
  originTxid: string,
  owner: string,
): Promise<number | undefined> {
  let allocation = await store.allocate(originTxid, owner);
  if (allocation.type === 'unsynced') {
    if (!(await syncFromChain(store, chain, sponsor))) return undefined;
    allocation = await store.allocate(originTxid, owner);
  }
  return allocation.type === 'allocated' ? allocation.nonce : undefined;
}

async function syncFromChain(
  store: SponsorNonceStore,
  chain: ChainReader,
  sponsor: string,
): Promise<boolean> {
  const nonces = await chain.getNonces(sponsor);
  if (nonces.type === 'error') return false;
  const { type: _found, ...state } = nonces;
  await store.sync(state);
  return true;
}

export interface SettleContext {
  deps: PaymentDeps;
  env: Env;
  config: ServiceConfig;
  payment: VerifiedPayment;
}

/** Nothing was broadcast for this request's payment: its sponsor nonce lease goes back. */
export async function releaseSponsorNonce(context: SettleContext): Promise<void> {
  const { payment } = context;
  const sponsorship = payment.sponsorship;
  if (sponsorship?.mode !== 'worker') return;
  const store = storeOf(context.deps, context.env, context.config, sponsorship.sponsor);
  await store.release(sponsorship.originTxid, payment.paymentId);
}

/**
 * Settles a payment with the configured settler; for a sponsored one, also settles its nonce
 * lease and records the fee. `firstAttempt`: the payment is still `queued`, so a sponsor nonce
 * the node refuses may be replaced (new bytes, new txid) and broadcast once more.
 */
export async function settlePayment(
  context: SettleContext,
  firstAttempt: boolean,
): Promise<SettleOutcome> {
  const { deps, env, config, payment } = context;
  const settler = deps.settlerFor(config);
  let outcome = await settler.settle(payment);
  const sponsorship = payment.sponsorship;
  if (sponsorship?.mode === 'facilitator') {
    // The facilitator sponsored it: its transaction, with its txid, is the payment now (also on
    // a retry after an unknown outcome, while the payment is still `broadcasting`).
    if (outcome.type === 'settled' && outcome.txid !== payment.txid) {
      await adoptTransaction(env.DB, payment, outcome.txid, payment.transaction, [
        'queued',
        'broadcasting',
      ]);
    }
    return outcome;
  }
  if (sponsorship?.mode !== 'worker') return outcome;
  const store = storeOf(deps, env, config, sponsorship.sponsor);
  if (outcome.type === 'rejected' && outcome.sponsorNonceSuspect && firstAttempt) {
    if (await resignWithFreshNonce(context, store)) outcome = await settler.settle(payment);
  }
  const current = payment.sponsorship as typeof sponsorship;
  if (outcome.type === 'rejected') {
    await store.release(current.originTxid, payment.paymentId);
    return outcome;
  }
  await store.spend(current.originTxid);
  // Recorded once, by the request that first broadcast it (a retry broadcasts the same bytes).
  if (!firstAttempt) return outcome;
  await env.DB.prepare(
    `INSERT OR REPLACE INTO sponsored_payments (payment_id, origin_txid, sponsor, sponsor_nonce, fee, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      payment.paymentId,
      current.originTxid,
      current.sponsor,
      current.nonce,
      current.fee.toString(),
      Date.now(),
    )
    .run();
  return outcome;
}

/**
 * The node refused the sponsor's nonce (used already, or taken in the mempool): give it back,
 * re-read the sponsor's nonces from the chain, lease again and sign the new bytes. False when
 * that cannot be done (the first refusal then stands).
 */
async function resignWithFreshNonce(
  context: SettleContext,
  store: SponsorNonceStore,
): Promise<boolean> {
  const { deps, env, config, payment } = context;
  const sponsorship = payment.sponsorship;
  const policy = config.sponsorship;
  if (sponsorship?.mode !== 'worker' || policy?.mode !== 'worker') return false;
  await store.release(sponsorship.originTxid, payment.paymentId);
  const chain = deps.chainFor(config);
  if (!(await syncFromChain(store, chain, sponsorship.sponsor))) return false;
  const nonce = await leaseNonce(
    store,
    chain,
    sponsorship.sponsor,
    sponsorship.originTxid,
    payment.paymentId,
  );
  if (nonce === undefined) return false;
  // Signing replaces the sponsor condition of the current bytes; the payer's part is unchanged.
  const signed = await signAsSponsor(payment.transaction, policy, sponsorship.fee, nonce);
  if (!(await adoptTransaction(env.DB, payment, signed.txid, signed.bytes))) {
    await store.release(sponsorship.originTxid, payment.paymentId);
    return false;
  }
  payment.sponsorship = { ...sponsorship, nonce };
  return true;
}

/** The payment's transaction is now `txid`: in the ledger (while still queued) and in memory. */
async function adoptTransaction(
  db: D1Database,
  payment: VerifiedPayment,
  txid: string,
  transaction: Uint8Array,
  from: readonly string[] = ['queued'],
): Promise<boolean> {
  if (txid !== payment.txid) {
    const result = await db
      .prepare(
        `UPDATE payments SET txid = ? WHERE payment_id = ? AND status IN (${from.map(() => '?').join(', ')})`,
      )
      .bind(txid, payment.paymentId, ...from)
      .run();
    if (result.meta.changes !== 1) return false;
  }
  payment.txid = txid;
  payment.transaction = transaction;
  return true;
}
