/**
 * A route's price as discovery documents state it, from the same configuration and the same
 * requirement builder as its 402 (src/payment/requirements.ts), so a manifest cannot disagree with
 * a challenge.
 *
 * The `dynamic` tier is priced per request, so no document can carry its amount: its `accepts`
 * list the tokens with every field of the 402 except `amount` (and the quote's own `extra` fields,
 * which describe one request), and its pricing mode is `quote`: send the request unpaid and read
 * the amounts from the 402.
 */
import type { ServiceConfig } from '../config';
import { formatDecimal } from '../inference/decimal';
import type { PaymentRequirements } from '../payment/protocol';
import { buildAccepts } from '../payment/requirements';
import type { RoutePricing } from '../payment/types';
import { CAIP2_NETWORK, TOKEN_TYPES, TOKENS, type TokenType } from '../stacks/tokens';

export type PricingMode = 'fixed' | 'quote';

/** An `accepts` entry of a discovery document: without `amount` for the `dynamic` tier. */
export type DiscoveryRequirement = Omit<PaymentRequirements, 'amount'> & { amount?: string };

export interface TokenPrice {
  token: TokenType;
  asset: string;
  /** Atomic units, as in the 402's `amount`. */
  amount: string;
  atomicUnit: string;
  /** The same price in whole tokens: "0.001". */
  units: string;
  decimals: number;
}

export function pricingMode(pricing: RoutePricing): PricingMode {
  return pricing.tier === 'dynamic' ? 'quote' : 'fixed';
}

/** What a `standard` route's 402 offers, in the 402's own order (no token named first). */
export function discoveryAccepts(
  pricing: RoutePricing,
  config: ServiceConfig,
): DiscoveryRequirement[] {
  if (pricing.tier === 'standard') return buildAccepts(config, 'standard', config.standardPrices);
  const zero = Object.fromEntries(TOKEN_TYPES.map((t) => [t, 0n])) as Record<TokenType, bigint>;
  return buildAccepts(config, pricing.tier, zero).map(({ amount: _quoted, ...rest }) => rest);
}

/** The fixed price per token of a `standard` route; empty for a quoted one. */
export function tokenPrices(pricing: RoutePricing, config: ServiceConfig): TokenPrice[] {
  if (pricing.tier !== 'standard') return [];
  return discoveryAccepts(pricing, config).map((requirement) => {
    const token = requirement.extra.tokenType as TokenType;
    const { decimals, atomicUnit } = TOKENS[token];
    const atomic = config.standardPrices[token];
    return {
      token,
      asset: requirement.asset,
      amount: atomic.toString(),
      atomicUnit,
      units: formatDecimal({ units: atomic, scale: decimals }),
      decimals,
    };
  });
}

/** "1000 microSTX (0.001 STX), 2 sats (0.00000002 sBTC) or 1000 microUSDCx (0.001 USDCx)". */
function priceWords(prices: readonly TokenPrice[]): string {
  const words = prices.map((p) => `${p.amount} ${p.atomicUnit} (${p.units} ${p.token})`);
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words.join('');
}

/** The price sentence shown with each paid operation (OpenAPI description, llms.txt). */
export function priceSentence(pricing: RoutePricing, config: ServiceConfig | undefined): string {
  if (pricing.tier === 'free') return 'Free.';
  if (!config) return 'Paid; payments are not configured on this server, so the route answers 503.';
  if (pricing.tier === 'dynamic') {
    return 'Price: quoted per request from the model, the prompt and max_tokens; send the request without payment and the 402 carries the amount in STX, sBTC and USDCx.';
  }
  return `Price: ${priceWords(tokenPrices(pricing, config))} per call.`;
}

/**
 * OpenAPI `x-payment-info` as x402 scanners read it: `protocols`, `pricingMode`, and for a fixed
 * price `price` in US dollars. USDCx is a dollar token, so its price in whole tokens is the price
 * in dollars; the STX and sBTC prices are in `x-x402`.
 */
export function paymentInfo(pricing: RoutePricing, config: ServiceConfig) {
  const mode = pricingMode(pricing);
  const usd = tokenPrices(pricing, config).find((p) => p.token === 'USDCx');
  return {
    protocols: ['x402'],
    pricingMode: mode,
    ...(mode === 'fixed' && usd ? { price: usd.units } : {}),
  };
}

/** OpenAPI `x-x402`: everything a client needs to pay this operation. */
export function x402Block(pricing: RoutePricing, config: ServiceConfig) {
  return {
    tier: pricing.tier,
    pricingMode: pricingMode(pricing),
    order: pricing.order,
    network: CAIP2_NETWORK[config.network],
    payTo: config.payTo,
    prices: tokenPrices(pricing, config),
  };
}
