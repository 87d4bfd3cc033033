/**
 * The `inference` route group: LLM chat through OpenRouter (priced per request, tier `dynamic`)
 * and Workers AI (standard tier), both settled first (`upfront`), with free model catalogues.
 * Every call's actual cost is recorded against its payment (`inference_usage`).
 */
import type { ApiRoute } from '../registry';
import { cloudflareChatRoute, cloudflareModelsRoute } from './cloudflare';
import { openRouterChatRoute } from './openrouter-chat';
import { openRouterModelsRoute } from './openrouter-models';

export const inferenceRoutes: ApiRoute[] = [
  openRouterModelsRoute,
  openRouterChatRoute,
  cloudflareModelsRoute,
  cloudflareChatRoute,
];
