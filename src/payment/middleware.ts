/**
 * The x402 payment gate: the only payment file that knows Hono.
 *
 * It wraps a route's handler rather than sitting in front of it as middleware: @hono/zod-openapi
 * runs route middleware before its validators, and the request must be validated before the 402
 * (nobody pays for a 400). Wrapping also ties the price to the handler itself, so no spelling of a
 * path can reach a paid handler without passing here.
 */
import type { Context, Handler } from 'hono';
import { getServiceConfig, type ServiceConfig } from '../config';
import type { AppEnv } from '../env';
import { parseTokenType, type TokenType } from '../stacks/tokens';
import { verifyStacksPayment } from '../stacks/verify-payment';
import { PAYMENT_ERROR_MESSAGES, type PaymentErrorCode, SERVICE_MISCONFIGURED } from './errors';
import { decodeBase64Json, encodeBase64Json } from './header-codec';
import { claimPayment, newPaymentId, releaseClaim, setPaymentStatus } from './ledger';
import {
  LEGACY_PAYMENT_HEADER,
  PAYER_ADDRESS_HEADER,
  PAYMENT_ID_HEADER,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  type PaymentRequirements,
  type SettlementResponse,
  TOKEN_TYPE_HEADER,
  X402_VERSION,
} from './protocol';
import {
  buildAccepts,
  buildPaymentRequired,
  findMatchingRequirement,
  type TokenPrices,
} from './requirements';
import type { Settler } from './settler';
import type { RoutePricing, VerifiedPayment } from './types';

export interface PaidRouteSpec {
  /** "POST /hashing/sha256": the route template, recorded in the ledger. */
  routeName: string;
  description?: string;
  pricing: RoutePricing;
  /** Prices for the `dynamic` tier, from the validated request. */
  quote?: (c: Context<AppEnv>, config: ServiceConfig) => TokenPrices | Promise<TokenPrices>;
}

export interface PaymentDeps {
  settlerFor(config: ServiceConfig): Settler;
}

type Gate = { accepts: PaymentRequirements[]; resourceUrl: string; description?: string };

export function withPayment(
  spec: PaidRouteSpec,
  handler: Handler<AppEnv>,
  deps: PaymentDeps,
): Handler<AppEnv> {
  if (spec.pricing.tier === 'free')
    throw new Error(`${spec.routeName}: a free route needs no payment gate`);
  if (spec.pricing.tier === 'dynamic' && !spec.quote)
    throw new Error(`${spec.routeName}: a dynamic route needs a quote`);

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
    const prices = spec.quote ? await spec.quote(c, config) : config.standardPrices;
    const preferred = parseTokenType(c.req.header(TOKEN_TYPE_HEADER) ?? c.req.query('tokenType'));
    const gate: Gate = {
      accepts: buildAccepts(config, spec.pricing.tier, prices, preferred),
      resourceUrl: c.req.url,
      description: spec.description,
    };

    const header = c.req.header(PAYMENT_SIGNATURE_HEADER) ?? c.req.header(LEGACY_PAYMENT_HEADER);
    if (header === undefined) return paymentRequired(gate, 'payment_required');

    const presented = readPaymentPayload(header, gate.accepts);
    if (presented.type === 'rejected')
      return paymentRequired(gate, presented.code, presented.detail);
    const { requirement, token, transactionHex } = presented;

    const verified = verifyStacksPayment({
      transactionHex,
      requirement,
      token,
      network: config.network,
      maxBytes: config.maxTransactionBytes,
    });
    if (verified.type === 'rejected') return paymentRequired(gate, verified.code, verified.detail);

    const payment: VerifiedPayment = {
      paymentId: newPaymentId(),
      payer: verified.payer,
      txid: verified.txid,
      nonce: verified.nonce,
      token,
      requirement,
      transaction: verified.transaction,
    };
    const claimed = await claimPayment(c.env.DB, {
      paymentId: payment.paymentId,
      txid: payment.txid,
      network: requirement.network,
      payer: payment.payer,
      nonce: payment.nonce,
      route: spec.routeName,
      token,
      asset: requirement.asset,
      amount: verified.amount,
      price: BigInt(requirement.amount),
      payTo: requirement.payTo,
      order: spec.pricing.order,
    });
    if (!claimed) return paymentRequired(gate, 'payment_already_used');
    c.set('payment', payment);

    const settler = deps.settlerFor(config);
    return spec.pricing.order === 'upfront'
      ? settleThenServe(c, next, handler, settler, payment, gate, verified.amount)
      : serveThenSettle(c, next, handler, settler, payment, gate);
  };
}

/** `authorization` order: run the handler, and settle only if it answered below 400. */
async function serveThenSettle(
  c: Context<AppEnv>,
  next: () => Promise<void>,
  handler: Handler<AppEnv>,
  settler: Settler,
  payment: VerifiedPayment,
  gate: Gate,
): Promise<Response> {
  let response: Response;
  try {
    response = await handler(c, next);
  } catch (error) {
    await releaseClaim(c.env.DB, payment.paymentId);
    throw error;
  }
  if (response.status >= 400) {
    await releaseClaim(c.env.DB, payment.paymentId);
    return response;
  }
  const outcome = await settler.settle(payment);
  if (outcome.type !== 'settled') {
    // The content is withheld: the caller gets a 402 saying why, and was not charged.
    await recordSettlementFailure(c, payment, outcome.type, outcome.code);
    return paymentRequired(
      gate,
      outcome.code,
      outcome.detail,
      settlementResponse(payment, outcome.code),
    );
  }
  await setPaymentStatus(c.env.DB, payment.paymentId, 'mempool', { settledAt: Date.now() });
  return withReceipt(response, payment);
}

/** `upfront` order, for side effects: settle first; a handler failure afterwards is owed to the payer. */
async function settleThenServe(
  c: Context<AppEnv>,
  next: () => Promise<void>,
  handler: Handler<AppEnv>,
  settler: Settler,
  payment: VerifiedPayment,
  gate: Gate,
  amount: bigint,
): Promise<Response> {
  const outcome = await settler.settle(payment);
  if (outcome.type !== 'settled') {
    await recordSettlementFailure(c, payment, outcome.type, outcome.code);
    return paymentRequired(
      gate,
      outcome.code,
      outcome.detail,
      settlementResponse(payment, outcome.code),
    );
  }
  await setPaymentStatus(c.env.DB, payment.paymentId, 'mempool', { settledAt: Date.now() });
  let response: Response;
  try {
    response = await handler(c, next);
  } catch (error) {
    await setPaymentStatus(c.env.DB, payment.paymentId, 'mempool', { owedAmount: amount });
    throw error;
  }
  if (response.status >= 400) {
    await setPaymentStatus(c.env.DB, payment.paymentId, 'mempool', { owedAmount: amount });
  }
  return withReceipt(response, payment);
}

async function recordSettlementFailure(
  c: Context<AppEnv>,
  payment: VerifiedPayment,
  type: 'rejected' | 'unknown',
  code: PaymentErrorCode,
): Promise<void> {
  if (type === 'rejected') {
    // The node said no: nothing is on chain, so the payer's nonce must stay usable.
    await releaseClaim(c.env.DB, payment.paymentId);
  } else {
    // A timeout or 5xx: the transaction may be in a mempool; keep the claim so it is never reused.
    await setPaymentStatus(c.env.DB, payment.paymentId, 'settle_unknown', { errorCode: code });
  }
}

type Presented =
  | {
      type: 'presented';
      requirement: PaymentRequirements;
      token: TokenType;
      transactionHex: string;
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
  return { type: 'presented', requirement, token, transactionHex: transaction };
}

function paymentRequired(
  gate: Gate,
  code: PaymentErrorCode,
  detail?: string,
  settlement?: SettlementResponse,
): Response {
  const body = buildPaymentRequired({
    resourceUrl: gate.resourceUrl,
    description: gate.description,
    accepts: gate.accepts,
    error: code,
  });
  const headers = new Headers({
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    [PAYMENT_REQUIRED_HEADER]: encodeBase64Json(body),
  });
  if (settlement) headers.set(PAYMENT_RESPONSE_HEADER, encodeBase64Json(settlement));
  const message = detail
    ? `${PAYMENT_ERROR_MESSAGES[code]} (${detail})`
    : PAYMENT_ERROR_MESSAGES[code];
  return new Response(JSON.stringify({ ...body, code, message }), { status: 402, headers });
}

function settlementResponse(
  payment: VerifiedPayment,
  errorReason?: PaymentErrorCode,
): SettlementResponse {
  return {
    success: errorReason === undefined,
    ...(errorReason ? { errorReason } : {}),
    payer: payment.payer,
    transaction: `0x${payment.txid}`,
    network: payment.requirement.network,
  };
}

function withReceipt(response: Response, payment: VerifiedPayment): Response {
  const receipt = new Response(response.body, response);
  receipt.headers.set(PAYMENT_RESPONSE_HEADER, encodeBase64Json(settlementResponse(payment)));
  receipt.headers.set(PAYMENT_ID_HEADER, payment.paymentId);
  receipt.headers.set(PAYER_ADDRESS_HEADER, payment.payer);
  receipt.headers.set('cache-control', 'no-store');
  return receipt;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
