/**
 * What a `POST /inference/cloudflare/chat` request is run with, decided before the 402: the
 * standard price, provided it covers the call's worst case (src/inference/cloudflare-budget.ts);
 * otherwise a free `400 request_exceeds_tier` naming the largest prompt and `max_tokens` that fit.
 * The handler plans again from the same request and configuration, so it runs with exactly the
 * `max_tokens` checked here.
 */
import type { Context } from 'hono';
import type { ServiceConfig } from '../../config';
import type { AppEnv } from '../../env';
import { cloudflareChatBudget, standardTierUsd } from '../../inference/cloudflare-budget';
import type { CloudflareChatModel } from '../../inference/cloudflare-models';
import { getInferenceConfig } from '../../inference/config';
import { estimatePromptTokens } from '../../inference/prompt-tokens';
import type { Quote } from '../../payment/gate';
import { validBody } from '../storage/payer-store-routes';
import type { CloudflareChatRequest } from './chat-schemas';
import { invalidRequest, unavailableBeforePayment } from './responses';

export type CloudflareChatPlan =
  | { type: 'planned'; promptTokens: number; maxTokens: number }
  | { type: 'refused'; response: Response };

export function planCloudflareChat(
  env: Env,
  config: ServiceConfig,
  request: CloudflareChatRequest,
): CloudflareChatPlan {
  const inference = getInferenceConfig(env);
  if (!inference.ok) {
    // Without the token rates the standard price cannot be told in USD: never run unchecked.
    return {
      type: 'refused',
      response: unavailableBeforePayment(
        'inference_misconfigured',
        `Inference pricing is not configured on this server (${inference.problems.join('; ')})`,
      ),
    };
  }
  const model = request.model as CloudflareChatModel;
  const promptTokens = estimatePromptTokens(request);
  const budget = cloudflareChatBudget(
    model,
    promptTokens,
    request.max_tokens,
    standardTierUsd(config.standardPrices, inference.config),
  );
  if (budget.type === 'fits') return { type: 'planned', promptTokens, maxTokens: budget.maxTokens };
  const { maxTokens, worstCaseUsd, tierUsd, largestPromptTokens, largestMaxTokens } = budget;
  const asked = request.max_tokens === undefined ? 'even max_tokens 1' : `max_tokens ${maxTokens}`;
  const advice =
    largestPromptTokens === 0
      ? `no prompt fits with max_tokens ${maxTokens}`
      : `with max_tokens ${maxTokens} the prompt may be at most about ${largestPromptTokens} tokens`;
  const other =
    largestMaxTokens === 0
      ? 'this prompt does not fit with any max_tokens'
      : `with this prompt max_tokens may be at most ${largestMaxTokens}`;
  return {
    type: 'refused',
    response: invalidRequest(
      'request_exceeds_tier',
      `about ${promptTokens} prompt tokens and ${asked} could cost ${worstCaseUsd} USD on ${model}, more than the standard price of ${tierUsd} USD; ${advice}, or ${other} (or use POST /inference/openrouter/chat, priced per request)`,
      { promptTokens, maxTokens, worstCaseUsd, tierUsd, largestPromptTokens, largestMaxTokens },
    ),
  };
}

/** The standard tier's prices, or a refusal before the 402. */
export function quoteCloudflareChat(c: Context<AppEnv>, config: ServiceConfig): Quote {
  const plan = planCloudflareChat(c.env, config, validBody<CloudflareChatRequest>(c));
  return plan.type === 'refused' ? plan : { type: 'priced', prices: config.standardPrices };
}
