/**
 * Building the 402 challenge and matching a client's `accepted` against it.
 *
 * x402 v2: the server rebuilds the requirements on the paid retry and the client's `accepted` must
 * equal one of them field by field; we never trust the client's amount, asset or payTo. That is
 * why `extra` holds only static values (no nonces, no timestamps).
 */
import type { DeliveryMode, ServiceConfig } from '../config';
import { assetIdFor, CAIP2_NETWORK, TOKEN_TYPES, TOKENS, type TokenType } from '../stacks/tokens';
import { type PaymentRequired, type PaymentRequirements, X402_VERSION } from './protocol';
import type { PricingTier } from './types';

export type TokenPrices = Record<TokenType, bigint>;

/**
 * Lists every accepted token with its own amount; a preferred token comes first. `extra` adds what
 * a dynamic price was computed from (the same for every token, and deterministic).
 */
export function buildAccepts(
  config: ServiceConfig,
  tier: PricingTier,
  prices: TokenPrices,
  preferred?: TokenType,
  extra: Record<string, unknown> = {},
): PaymentRequirements[] {
  const order = preferred
    ? [preferred, ...TOKEN_TYPES.filter((t) => t !== preferred)]
    : TOKEN_TYPES;
  return order.map((token) => {
    const asset = assetIdFor(token, config.network);
    return {
      scheme: 'exact',
      network: CAIP2_NETWORK[config.network],
      amount: prices[token].toString(),
      asset,
      payTo: config.payTo,
      maxTimeoutSeconds: config.maxTimeoutSeconds,
      extra: {
        // The route's own fields first: they can never replace the token's.
        ...extra,
        tokenType: token,
        ...(asset === 'STX' ? {} : { tokenContract: asset }),
        decimals: TOKENS[token].decimals,
        pricingTier: tier,
      },
    };
  });
}

/** The `payment-identifier` extension, declared on every 402 (x402 v2 extensions). */
const PAYMENT_IDENTIFIER_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
    required: { type: 'boolean' },
  },
  required: ['id'],
} as const;

export function paymentIdentifierExtension(required: boolean) {
  return { info: { required }, schema: PAYMENT_IDENTIFIER_SCHEMA };
}

/**
 * How this route delivers (DESIGN section 5). Not part of x402 itself: it tells a client whether
 * to expect a 202 while a payment confirms.
 */
export function deliveryExtension(mode: DeliveryMode, confirmationWaitMs: number) {
  return {
    info: {
      mode,
      confirmationWaitSeconds: Math.round(confirmationWaitMs / 1000),
      confirmedOnlyFor: 'payers whose earlier delivered payment failed or was replaced',
    },
  };
}

export function buildPaymentRequired(options: {
  resourceUrl: string;
  description?: string;
  accepts: PaymentRequirements[];
  extensions?: Record<string, unknown>;
  error?: string;
}): PaymentRequired {
  return {
    x402Version: X402_VERSION,
    ...(options.error ? { error: options.error } : {}),
    resource: {
      url: options.resourceUrl,
      ...(options.description ? { description: options.description } : {}),
      mimeType: 'application/json',
    },
    accepts: options.accepts,
    extensions: options.extensions ?? { 'payment-identifier': paymentIdentifierExtension(false) },
  };
}

/** Stable JSON: object keys sorted, so field order never decides equality. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The requirement that `accepted` equals field by field, if any. */
export function findMatchingRequirement(
  accepted: unknown,
  accepts: readonly PaymentRequirements[],
): PaymentRequirements | undefined {
  if (accepted === null || typeof accepted !== 'object') return undefined;
  const wanted = canonicalJson(accepted);
  return accepts.find((requirement) => canonicalJson(requirement) === wanted);
}
