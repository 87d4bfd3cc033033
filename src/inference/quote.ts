/**
 * The price of one chat call (DESIGN section 6, the `dynamic` tier): what it can cost upstream at
 * most, with our margin, at least our minimum, in each token's atomic unit.
 *
 *   max_tokens = min(requested or INFERENCE_DEFAULT_MAX_TOKENS, top_provider.max_completion_tokens)
 *   cost       = prompt tokens (estimated) × pricing.prompt + max_tokens × pricing.completion
 *   price      = max(cost × (1 + INFERENCE_MARGIN), INFERENCE_MINIMUM_USD)            (USD)
 *   amount     = ⌈price ÷ USD per token × 10^decimals⌉   (µSTX, sats, µUSDCx; USDCx at 1 USD)
 *
 * All of it exact (decimal strings as scaled BigInts), so one request and one catalogue version
 * always give the same amounts: the 402 and its paid retry agree, and the `max_tokens` sent
 * upstream is the one priced.
 */

import type { TokenPrices } from '../payment/requirements';
import { TOKEN_TYPES, TOKENS, type TokenType } from '../stacks/tokens';
import type { CatalogueModel } from './catalogue';
import { pricesOf } from './catalogue';
import type { InferenceConfig } from './config';
import {
  add,
  type Decimal,
  formatDecimal,
  fromInteger,
  max,
  multiply,
  ONE,
  toAtomicUnits,
} from './decimal';

export interface ChatQuote {
  model: string;
  /** The model's listed USD per token, as priced (for the cost when none is reported). */
  pricing: { prompt: string; completion: string };
  /** Estimated from the request (prompt-tokens.ts). */
  promptTokens: number;
  /** Priced, and sent upstream as `max_tokens`. */
  maxTokens: number;
  /** The upstream cost at most, USD. */
  upstreamUsd: string;
  /** What the caller pays, USD, before rounding up to each token's atomic unit. */
  priceUsd: string;
  prices: TokenPrices;
}

export type QuoteResult =
  | { type: 'quoted'; quote: ChatQuote }
  | {
      type: 'context_exceeded';
      promptTokens: number;
      maxTokens: number;
      contextLength: number;
    };

/** The `max_tokens` a call is priced and run with. */
export function pricedMaxTokens(
  model: CatalogueModel,
  requested: number | undefined,
  config: InferenceConfig,
): number {
  const wanted = requested ?? config.defaultMaxTokens;
  return model.maxCompletionTokens === null ? wanted : Math.min(wanted, model.maxCompletionTokens);
}

export function quoteChat(
  model: CatalogueModel,
  promptTokens: number,
  requestedMaxTokens: number | undefined,
  config: InferenceConfig,
): QuoteResult {
  const maxTokens = pricedMaxTokens(model, requestedMaxTokens, config);
  if (promptTokens + maxTokens > model.contextLength) {
    return {
      type: 'context_exceeded',
      promptTokens,
      maxTokens,
      contextLength: model.contextLength,
    };
  }
  const upstream = tokenCost(model, promptTokens, maxTokens);
  const price = priceWithMargin(upstream, config);
  return {
    type: 'quoted',
    quote: {
      model: model.id,
      pricing: model.pricing,
      promptTokens,
      maxTokens,
      upstreamUsd: formatDecimal(upstream),
      priceUsd: formatDecimal(price),
      prices: usdInTokens(price, config),
    },
  };
}

/** USD for these tokens at the model's listed prices. */
export function tokenCost(
  model: Pick<CatalogueModel, 'id' | 'pricing'>,
  promptTokens: number,
  completionTokens: number,
): Decimal {
  const prices = pricesOf(model);
  return add(
    multiply(fromInteger(promptTokens), prices.prompt),
    multiply(fromInteger(completionTokens), prices.completion),
  );
}

/** cost × (1 + margin), at least the minimum. */
export function priceWithMargin(cost: Decimal, config: InferenceConfig): Decimal {
  return max(multiply(cost, add(ONE, config.margin)), config.minimumUsd);
}

/** A USD amount in each token's atomic units, rounded up. */
export function usdInTokens(usd: Decimal, config: InferenceConfig): TokenPrices {
  const prices = {} as TokenPrices;
  for (const token of TOKEN_TYPES) prices[token] = usdToAtomic(usd, token, config);
  return prices;
}

export function usdToAtomic(usd: Decimal, token: TokenType, config: InferenceConfig): bigint {
  return toAtomicUnits(usd, config.usdPerToken[token], TOKENS[token].decimals);
}

/** An atomic amount of a token in USD, exactly (amount ÷ 10^decimals × USD per token). */
export function atomicToUsd(amount: bigint, token: TokenType, config: InferenceConfig): Decimal {
  return multiply({ units: amount, scale: TOKENS[token].decimals }, config.usdPerToken[token]);
}
