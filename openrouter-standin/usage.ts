/**
 * `usage` as OpenRouter reports it, cost included: `cost` = prompt_tokens × pricing.prompt +
 * completion_tokens × pricing.completion, in USD. It is computed exactly in decimal (prices are
 * decimal strings) and sent as the nearest JS number, so 1000 prompt tokens at "0.00000015" cost
 * exactly 0.00015, not 0.00015000000000000001.
 */
import type { ModelPricing } from './models.ts';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** USD. */
  cost: number;
  is_byok: false;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  cost_details: { upstream_inference_cost: null };
}

/** Decimal places kept: far more than any per-token price has. */
const SCALE = 18;

function toScaled(decimal: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match || (match[2]?.length ?? 0) > SCALE) throw new Error(`not a price: "${decimal}"`);
  return BigInt(match[1] + (match[2] ?? '').padEnd(SCALE, '0'));
}

function fromScaled(value: bigint): number {
  const digits = value.toString().padStart(SCALE + 1, '0');
  return Number(`${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`);
}

/** USD for the tokens at the model's prices (exact decimal arithmetic, then one rounding). */
export function tokenCost(
  pricing: ModelPricing,
  promptTokens: number,
  completionTokens: number,
): number {
  return fromScaled(
    toScaled(pricing.prompt) * BigInt(promptTokens) +
      toScaled(pricing.completion) * BigInt(completionTokens),
  );
}

export function buildUsage(
  pricing: ModelPricing,
  promptTokens: number,
  completionTokens: number,
): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    cost: tokenCost(pricing, promptTokens, completionTokens),
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
  };
}
