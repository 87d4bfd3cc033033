/**
 * The x402 payment gate: the entry of every paid request, and with delivery.ts the only payment
 * code that knows Hono.
 *
 * It wraps a route's handler rather than sitting in front of it as middleware: @hono/zod-openapi
 * runs route middleware before its validators, and the request must be validated before the 402
 * (nobody pays for a 400). Wrapping also ties the price to the handler itself, so no spelling of a
 * path reaches a paid handler without passing here.
 */
import type { Context, Handler } from 'hono';
import { getServiceConfig, type ServiceConfig } from '../config';
import type { AppEnv } from '../env';
import type { ChainReader } from '../stacks/stacks-api';
import { parseTokenType, type TokenType } from '../stacks/tokens';
import { verifyStacksPayment } from '../stacks/verify-payment';
import { type PaidRequest, tracked } from './delivery';
import { PAYMENT_ERROR_MESSAGES, type PaymentErrorCode, SERVICE_MISCONFIGURED } from './errors';
import { decodeBase64Json } from './header-codec';
import { type Challenge, jsonError, paymentRequired } from './http-responses';
import {
  findActiveClaim,
  getPayment,
  type LedgerRow,
  newPaymentId,
  openPayment,
  type PaymentClaim,
} from './ledger';
import { TERMINAL_STATUSES } from './lifecycle';
import { type IdentifierKey, readPaymentIdentifier, releaseIdentifier } from './payment-identifier';
import {
  LEGACY_PAYMENT_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  type PaymentPayload,
  type PaymentRequirements,
  TOKEN_TYPE_HEADER,
  X402_VERSION,
} from './protocol';
import { hashPaidRequest } from './request-hash';
import {
  buildAccepts,
  deliveryExtension,
  findMatchingRequirement,
  paymentIdentifierExtension,
  type TokenPrices,
} from './requirements';
import { settleClaimed } from './settle-claimed';
import type { Settler } from './settler';
import type { SponsorNonceView } from './sponsor-order';
import { releaseSponsorNonce, type SponsorNonceStore, sponsorPayment } from './sponsorship';
import { answerRetry } from './stale-queued';
import { checkOnChain, type TrackingJob } from './tracking';
import type { RoutePricing, VerifiedPayment } from './types';

export interface PaidRouteSpec {
  /** "POST /hashing/sha256": the route template, recorded in the ledger. */
  routeName: string;
  description?: string;
  pricing: RoutePricing;
  /** Prices for the `dynamic` tier, from the validated request. */
  quote?: (c: Context<AppEnv>, config: ServiceConfig) => Quote | Promise<Quote>;
  /**
   * `upfront` routes: a check that needs the payer (a quota, a name taken) run after the payment
   * is verified and claimed but before it is settled. A response refuses the request: the claim is
   * released and nothing is charged.
   */
  precheck?: PaidPrecheck;
  /**
   * Extensions this route declares in every 402 besides the gate's own (the `bazaar` discovery
   * info); static for the route, so called once per challenge and cheap after the first.
   */
  challengeExtensions?: () => Record<string, unknown>;
}

/**
 * What a `dynamic` route's quote answers. `priced`: the amount per token, and what it was computed
 * from, shown in every requirement's `extra` (it must be the same for the same request, since the
 * paid retry's `accepted` is matched against the requirements rebuilt then). `refused`: an answer
 * given before any 402 (a request that cannot be priced, such as an unknown model); nothing is
 * charged.
 */
export type Quote =
  | { type: 'priced'; prices: TokenPrices; extra?: Record<string, unknown> }
  | { type: 'refused'; response: Response };

export type PaidPrecheck = (
  c: Context<AppEnv>,
  payment: VerifiedPayment,
) => Promise<Response | null> | Response | null;

export interface PaymentDeps {
  settlerFor(config: ServiceConfig): Settler;
  /** Hands a broadcast payment to its tracker (the PaymentTracker Durable Object in production). */
  startTracking(env: Env, job: TrackingJob): Promise<void>;
  /** Reads transaction status and nonces from the Stacks API. */
  chainFor(config: ServiceConfig): ChainReader;
  /** The sponsor's nonce lease book; the SponsorNonces Durable Object unless a test says otherwise. */
  sponsorNoncesFor?(env: Env, network: string, sponsor: string): SponsorNonceStore;
  /** How long a sponsored delivery waits for no gap below its sponsor nonce (sponsor-order.ts). */
  sponsorOrderWaitMs?: number;
}

export function withPayment(
  spec: PaidRouteSpec,
  handler: Handler<AppEnv>,
  deps: PaymentDeps,
): Handler<AppEnv> {
  if (spec.pricing.tier === 'free')
    throw new Error(`${spec.routeName}: a free route needs no payment gate`);
  if (spec.pricing.tier === 'dynamic' && !spec.quote)
    throw new Error(`${spec.routeName}: a dynamic route needs a quote`);

  /**
   * Looks at the chain for the payment holding a nonce now presented again: one that was dropped
   * or replaced, or never seen by its deadline, ends here (as its tracker would end it a little
   * later) and frees the nonce if it is unspent. True when the nonce was freed.
   */
  async function lostOnChain(
    db: D1Database,
    chain: ChainReader,
    config: ServiceConfig,
    holder: LedgerRow,
  ): Promise<boolean> {
    if (TERMINAL_STATUSES.has(holder.status) || holder.status === 'queued') return false;
    await checkOnChain(db, chain, tracked(holder), holder.created_at + config.trackingDeadlineMs);
    return (await getPayment(db, holder.payment_id))?.claim_active === 0;
  }

  return async function paymentGate(c, next) {
    const configResult = getServiceConfig(c.env);
    if (!configResult.ok) {
      return c.json(
        {
          code: SERVICE_MISCONFIGURED,
          message:
            'Payments are not configured on this server, so paid routes are unavailable; nothing was charged.',
          problems: configResult.problems,
        },
        503,
      );
    }
    const config = configResult.config;
    const quote: Quote = spec.quote
      ? await spec.quote(c, config)
      : { type: 'priced', prices: config.standardPrices };
    if (quote.type === 'refused') return quote.response;
    const preferred = parseTokenType(c.req.header(TOKEN_TYPE_HEADER) ?? c.req.query('tokenType'));
    const delivery = spec.pricing.delivery ?? config.deliveryMode;
    const challenge: Challenge = {
      accepts: buildAccepts(config, spec.pricing.tier, quote.prices, preferred, quote.extra),
      resourceUrl: c.req.url,
      description: spec.description,
      extensions: {
        ...spec.challengeExtensions?.(),
        'payment-identifier': paymentIdentifierExtension(config.paymentIdentifierRequired),
        delivery: deliveryExtension(delivery, config.confirmationWaitMs),
      },
    };

    // HEAD asks what a GET would answer without the body: the challenge, never a settlement
    // (a body-less 200 would charge for nothing).
    if (c.req.raw.method === 'HEAD') return paymentRequired(challenge, 'payment_required');
    const header = c.req.header(PAYMENT_SIGNATURE_HEADER) ?? c.req.header(LEGACY_PAYMENT_HEADER);
    if (header === undefined) return paymentRequired(challenge, 'payment_required');

    const presented = readPaymentPayload(header, challenge.accepts);
    if (presented.type === 'rejected')
      return paymentRequired(challenge, presented.code, presented.detail);
    const identifier = readPaymentIdentifier(presented.payload.extensions);
    if (identifier.type === 'invalid') {
      return jsonError(
        400,
        'invalid_payment_identifier',
        `${identifier.detail} (nothing was charged).`,
      );
    }
    if (identifier.type === 'absent' && config.paymentIdentifierRequired) {
      return paymentRequired(challenge, 'payment_identifier_required');
    }

    const verified = verifyStacksPayment({
      transactionHex: presented.payload.payload.transaction,
      requirement: presented.requirement,
      token: presented.token,
      network: config.network,
      maxBytes: config.maxTransactionBytes,
      acceptSponsored: config.sponsorship !== undefined,
    });
    if (verified.type === 'rejected')
      return paymentRequired(challenge, verified.code, verified.detail);

    const payment: VerifiedPayment = {
      paymentId: newPaymentId(),
      payer: verified.payer,
      txid: verified.txid,
      nonce: verified.nonce,
      token: presented.token,
      amount: verified.amount,
      requirement: presented.requirement,
      payload: presented.payload,
      transaction: verified.transaction,
    };
    let sponsorView: SponsorNonceView | undefined;
    if (verified.sponsored) {
      // Signed by the sponsor before the claim, so the claim and the tracker hold the final txid.
      const sponsoring = await sponsorPayment({
        deps,
        env: c.env,
        config,
        paymentId: payment.paymentId,
        originTxid: verified.txid,
        originBytes: verified.transaction,
      });
      if (sponsoring.type === 'refused')
        return paymentRequired(challenge, sponsoring.code, sponsoring.detail);
      if (sponsoring.type === 'unavailable') {
        return jsonError(
          503,
          'sponsor_unavailable',
          `This payment cannot be sponsored right now (${sponsoring.detail}); nothing was charged, retry in a moment.`,
          { 'retry-after': '5' },
        );
      }
      payment.txid = sponsoring.txid;
      payment.transaction = sponsoring.transaction;
      payment.sponsorship = sponsoring.sponsorship;
      if (sponsoring.sponsorNonces && sponsoring.sponsorship.mode === 'worker') {
        sponsorView = { nonces: sponsoring.sponsorNonces, nonce: sponsoring.sponsorship.nonce };
      }
    }
    const network = presented.requirement.network;
    const requestHash = await hashPaidRequest(c, payment.payer, payment.requirement);
    const key: IdentifierKey | undefined =
      identifier.type === 'present'
        ? { network, payer: payment.payer, id: identifier.id }
        : undefined;
    const claim: PaymentClaim = {
      paymentId: payment.paymentId,
      txid: payment.txid,
      network,
      payer: payment.payer,
      nonce: payment.nonce,
      route: spec.routeName,
      token: payment.token,
      asset: payment.requirement.asset,
      amount: payment.amount,
      price: BigInt(payment.requirement.amount),
      payTo: payment.requirement.payTo,
      order: spec.pricing.order,
      delivery,
      requestHash,
      originTxid: payment.sponsorship?.originTxid,
    };
    // One D1 round trip takes the payment-identifier and the claim and reads the payer's mark,
    // while the Stacks API says whether this payment can be mined next.
    const chain = deps.chainFor(config);
    let claimedAt = Date.now();
    const [first, nonces] = await Promise.all([
      openPayment(c.env.DB, claim, key, claimedAt),
      chain.getNonces(payment.payer),
    ]);
    let opened = first;
    let holder: LedgerRow | null = null;
    if (!opened.claimed && (!key || opened.identifier?.paymentId === payment.paymentId)) {
      // Not a retry of another payment-identifier: the txid or payer nonce is claimed already.
      holder = await findActiveClaim(c.env.DB, { ...payment, network });
      if (
        holder &&
        holder.txid !== payment.txid &&
        (await lostOnChain(c.env.DB, chain, config, holder))
      ) {
        // Its transaction left the mempool without spending the nonce: the payer may use it again.
        claimedAt = Date.now();
        opened = await openPayment(c.env.DB, claim, key, claimedAt);
        holder = opened.claimed ? null : await findActiveClaim(c.env.DB, { ...payment, network });
      }
    }
    if (!opened.claimed) {
      // This request will broadcast nothing: a sponsor nonce it leased goes back (a lease held
      // by another request for the same payment is that request's, and stays).
      await releaseSponsorNonce({ deps, env: c.env, config, payment });
    }
    const paid: PaidRequest = {
      c,
      next,
      handler,
      config,
      deps,
      challenge,
      payment,
      order: spec.pricing.order,
      precheck: spec.precheck,
      // A payer whose delivered payment was lost is served on confirmed payments only.
      delivery: opened.flag ? 'confirmed' : delivery,
      flag: opened.flag,
      claimedAt,
      sponsorView,
    };

    if (key && opened.identifier && opened.identifier.paymentId !== payment.paymentId) {
      // The id names another payment: the same request again collects it; another is a 409.
      if (opened.identifier.requestHash !== requestHash) {
        return jsonError(
          409,
          'payment_identifier_conflict',
          'This payment-identifier was already used for a different request; use a new id for a new request (nothing was charged).',
        );
      }
      const row = await getPayment(c.env.DB, opened.identifier.paymentId);
      return answerRetry(paid, row, { requestHash, nonces, viaIdentifier: key });
    }
    if (!opened.claimed) {
      if (key) await releaseIdentifier(c.env.DB, key);
      // The same payment for the same request, answered 202 or still queued: a retry that
      // collects, or takes over a payment its request left queued (stale-queued.ts). Anything
      // else is a replay (or a concurrent copy of a request still being answered).
      if (
        holder &&
        holder.txid === payment.txid &&
        holder.request_hash === requestHash &&
        (holder.collectable === 1 || holder.status === 'queued')
      ) {
        return answerRetry(paid, holder, { requestHash, nonces });
      }
      return paymentRequired(challenge, 'payment_already_used');
    }
    if (key) paid.identifier = key;
    return settleClaimed(paid, nonces);
  };
}

type Presented =
  | {
      type: 'presented';
      payload: PaymentPayload;
      requirement: PaymentRequirements;
      token: TokenType;
    }
  | { type: 'rejected'; code: PaymentErrorCode; detail: string };

/** DESIGN section 4 item 1: decode the header and match `accepted` against what we offer now. */
function readPaymentPayload(header: string, accepts: PaymentRequirements[]): Presented {
  const decoded = decodeBase64Json(header);
  if (!decoded.ok) return { type: 'rejected', code: 'invalid_payload', detail: decoded.reason };
  const payload = decoded.value;
  if (!isRecord(payload))
    return {
      type: 'rejected',
      code: 'invalid_payload',
      detail: 'the payment header must hold a JSON object',
    };
  if (payload.x402Version !== X402_VERSION) {
    return {
      type: 'rejected',
      code: 'invalid_x402_version',
      detail: `x402Version is ${JSON.stringify(payload.x402Version)}; only 2 is supported`,
    };
  }
  const accepted = payload.accepted;
  const transaction = isRecord(payload.payload) ? payload.payload.transaction : undefined;
  if (!isRecord(accepted) || typeof transaction !== 'string') {
    return {
      type: 'rejected',
      code: 'invalid_payload',
      detail: 'a PaymentPayload needs `accepted` and `payload.transaction`',
    };
  }
  if (accepted.scheme !== 'exact') {
    return {
      type: 'rejected',
      code: 'invalid_scheme',
      detail: `scheme ${JSON.stringify(accepted.scheme)} is not supported; use "exact"`,
    };
  }
  const requirement = findMatchingRequirement(accepted, accepts);
  const token = requirement ? parseTokenType(String(requirement.extra.tokenType)) : undefined;
  if (!requirement || !token) {
    return {
      type: 'rejected',
      code: 'invalid_payment_requirements',
      detail: PAYMENT_ERROR_MESSAGES.invalid_payment_requirements,
    };
  }
  return { type: 'presented', payload: payload as unknown as PaymentPayload, requirement, token };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
