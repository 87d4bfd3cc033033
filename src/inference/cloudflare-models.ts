/**
 * The Workers AI chat models this service sells (`CHAT_MODELS` of src/ai/models.ts, the one list
 * the local stand-in also answers for), with the limits and prices Cloudflare publishes for them
 * (developers.cloudflare.com/workers-ai/platform/pricing, per million tokens; here per token).
 * The prices turn reported token counts into the actual cost recorded for a call.
 */
import { CHAT_MODELS, DEFAULT_MAX_TOKENS } from '../ai/models';
import { add, type Decimal, fromInteger, multiply, parseDecimal } from './decimal';

export type CloudflareChatModel = (typeof CHAT_MODELS)[number];

export interface CloudflareModelInfo {
  id: CloudflareChatModel;
  name: string;
  /** Prompt plus completion tokens the model takes. */
  contextLength: number;
  /** USD per token. */
  pricing: { prompt: string; completion: string };
}

export const CLOUDFLARE_MODELS: Record<CloudflareChatModel, CloudflareModelInfo> = {
  '@cf/meta/llama-3.1-8b-instruct': {
    id: '@cf/meta/llama-3.1-8b-instruct',
    name: 'Meta Llama 3.1 8B Instruct',
    contextLength: 7968,
    pricing: { prompt: '0.000000282', completion: '0.000000827' },
  },
  '@cf/meta/llama-3.2-3b-instruct': {
    id: '@cf/meta/llama-3.2-3b-instruct',
    name: 'Meta Llama 3.2 3B Instruct',
    contextLength: 128000,
    pricing: { prompt: '0.000000051', completion: '0.000000335' },
  },
};

/** The standard-tier price buys at most this many completion tokens (Workers AI's default 256 if unset). */
export const CLOUDFLARE_MAX_TOKENS = 1024;
export const CLOUDFLARE_DEFAULT_MAX_TOKENS = DEFAULT_MAX_TOKENS;

export function isCloudflareChatModel(id: string): id is CloudflareChatModel {
  return (CHAT_MODELS as readonly string[]).includes(id);
}

/** USD for these tokens at Cloudflare's published prices. */
export function cloudflareCost(
  model: CloudflareChatModel,
  promptTokens: number,
  completionTokens: number,
): Decimal {
  const { pricing } = CLOUDFLARE_MODELS[model];
  const prompt = parseDecimal(pricing.prompt);
  const completion = parseDecimal(pricing.completion);
  if (!prompt || !completion) throw new Error(`${model} has unreadable prices`);
  return add(
    multiply(fromInteger(promptTokens), prompt),
    multiply(fromInteger(completionTokens), completion),
  );
}
