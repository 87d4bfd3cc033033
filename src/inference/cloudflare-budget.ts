/**
 * What a standard-priced Workers AI chat may cost us, and whether the standard price covers it.
 *
 * `POST /inference/cloudflare/chat` is sold at the standard tier (issue 9), a fixed price, but
 * Workers AI charges per token: a long prompt or a large `max_tokens` could cost more than the
 * caller paid (a prompt near llama-3.2-3b's 128k context is about 0.0065 USD against 0.0006). So
 * the call's worst case is priced as the dynamic tier prices it,
 *
 *   worst case (USD) = estimated prompt tokens × prompt price + max_tokens × completion price,
 *
 * and a request whose worst case exceeds the standard price is refused before the 402. The
 * standard price in USD is the least of the three tokens' standard prices at the configured
 * STX_USD_PRICE and BTC_USD_PRICE (USDCx at 1), so whichever token pays, it covers the call.
 *
 * A request that names no `max_tokens` gets the default (256), or less when its prompt leaves
 * less room under the price: the default request always fits when the prompt alone does.
 */

import { TOKEN_TYPES, type TokenType } from '../stacks/tokens';
import {
  CLOUDFLARE_DEFAULT_MAX_TOKENS,
  CLOUDFLARE_MAX_TOKENS,
  CLOUDFLARE_MODELS,
  type CloudflareChatModel,
  cloudflareCost,
} from './cloudflare-models';
import type { InferenceConfig } from './config';
import {
  compare,
  type Decimal,
  floorDivide,
  formatDecimal,
  fromInteger,
  multiply,
  parseDecimal,
  subtractOrZero,
} from './decimal';
import { atomicToUsd } from './quote';

export type CloudflareBudget =
  | {
      type: 'fits';
      /** Sent to Workers AI as `max_tokens`. */
      maxTokens: number;
      worstCaseUsd: string;
    }
  | {
      type: 'exceeds_tier';
      promptTokens: number;
      /** As asked; 1 (the least) when the request named none. */
      maxTokens: number;
      worstCaseUsd: string;
      tierUsd: string;
      /** The largest prompt (estimated tokens) that fits with this `maxTokens`; 0 if none does. */
      largestPromptTokens: number;
      /** The largest `max_tokens` that fits with this prompt; 0 if none does. */
      largestMaxTokens: number;
    };

/** The standard price in USD that every token covers: the least of the three. */
export function standardTierUsd(
  standardPrices: Record<TokenType, bigint>,
  config: InferenceConfig,
): Decimal {
  const values = TOKEN_TYPES.map((token) => atomicToUsd(standardPrices[token], token, config));
  return values.reduce((least, value) => (compare(value, least) < 0 ? value : least));
}

function pricesOf(model: CloudflareChatModel): { prompt: Decimal; completion: Decimal } {
  const { pricing } = CLOUDFLARE_MODELS[model];
  const prompt = parseDecimal(pricing.prompt);
  const completion = parseDecimal(pricing.completion);
  if (!prompt || !completion) throw new Error(`${model} has unreadable prices`);
  return { prompt, completion };
}

/** How many tokens at `price` fit in what is left of `budget` after `spent`. */
function tokensThatFit(budget: Decimal, spent: Decimal, price: Decimal, cap: number): number {
  if (compare(spent, budget) > 0) return 0;
  const fit = floorDivide(subtractOrZero(budget, spent), price);
  return fit > BigInt(cap) ? cap : Number(fit);
}

export function cloudflareChatBudget(
  model: CloudflareChatModel,
  promptTokens: number,
  requestedMaxTokens: number | undefined,
  tierUsd: Decimal,
): CloudflareBudget {
  const prices = pricesOf(model);
  const promptUsd = multiply(fromInteger(promptTokens), prices.prompt);
  const largestMaxTokens = tokensThatFit(
    tierUsd,
    promptUsd,
    prices.completion,
    CLOUDFLARE_MAX_TOKENS,
  );
  const maxTokens =
    requestedMaxTokens ?? Math.max(1, Math.min(CLOUDFLARE_DEFAULT_MAX_TOKENS, largestMaxTokens));
  const worstCase = cloudflareCost(model, promptTokens, maxTokens);
  if (compare(worstCase, tierUsd) <= 0) {
    return { type: 'fits', maxTokens, worstCaseUsd: formatDecimal(worstCase) };
  }
  const completionUsd = multiply(fromInteger(maxTokens), prices.completion);
  return {
    type: 'exceeds_tier',
    promptTokens,
    maxTokens,
    worstCaseUsd: formatDecimal(worstCase),
    tierUsd: formatDecimal(tierUsd),
    largestPromptTokens: tokensThatFit(
      tierUsd,
      completionUsd,
      prices.prompt,
      Math.max(0, CLOUDFLARE_MODELS[model].contextLength - maxTokens),
    ),
    largestMaxTokens,
  };
}
