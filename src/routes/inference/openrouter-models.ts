/**
 * `GET /inference/openrouter/models` (free): OpenRouter's catalogue, from the KV cache
 * (src/inference/catalogue.ts), with our price per 1,000 prompt and completion tokens in USD, STX,
 * sBTC and USDCx. A call is priced from the same catalogue: see `POST /inference/openrouter/chat`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { loadCatalogue } from '../../inference/catalogue';
import { getInferenceConfig, type InferenceConfig } from '../../inference/config';
import {
  add,
  type Decimal,
  formatDecimal,
  fromInteger,
  multiply,
  ONE,
  parseDecimal,
  toTokens,
} from '../../inference/decimal';
import { usdInTokens } from '../../inference/quote';
import { ErrorSchema } from '../../schemas/errors';
import { TOKEN_TYPES, TOKENS, type TokenType } from '../../stacks/tokens';
import { defineRoute, FREE } from '../registry';
import { json } from '../storage/payer-store-routes';
import { routeAnswer, unavailableBeforePayment, upstreamFailureResponse } from './responses';

/** Rates are shown this many places below the atomic unit, rounded up. */
const RATE_PLACES_BELOW_ATOMIC = 6;

const TokenAmountsSchema = z.object({
  USD: z.string(),
  STX: z.string(),
  sBTC: z.string(),
  USDCx: z.string(),
});

const OpenRouterModelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    contextLength: z.number().int(),
    maxCompletionTokens: z.number().int().nullable(),
    upstreamPricing: z
      .object({ prompt: z.string(), completion: z.string() })
      .openapi({ description: 'USD per token, as OpenRouter lists them.' }),
    pricePer1kTokens: z
      .object({ prompt: TokenAmountsSchema, completion: TokenAmountsSchema })
      .openapi({
        description:
          'Our price for 1,000 tokens, margin included, in USD and in whole STX, sBTC and USDCx (rounded up). A call costs at least `pricing.minimum`.',
      }),
  })
  .openapi('OpenRouterModel');

const OpenRouterModelsSchema = z
  .object({
    provider: z.literal('openrouter'),
    fetchedAt: z.string().openapi({ description: 'When this copy of the catalogue was read.' }),
    pricing: z.object({
      margin: z.string(),
      minimumUsd: z.string(),
      minimum: z.record(z.string(), z.string()).openapi({ description: 'Atomic units per token.' }),
      usdPerToken: z.record(z.string(), z.string()),
      defaultMaxTokens: z.number().int(),
      formula: z.string(),
    }),
    count: z.number().int(),
    models: z.array(OpenRouterModelSchema),
  })
  .openapi('OpenRouterModels');

export const PRICE_FORMULA =
  'max((estimated prompt tokens × prompt price + max_tokens × completion price) × (1 + margin), minimumUsd), ÷ usdPerToken, rounded up to the atomic unit';

function inTokens(usd: Decimal, config: InferenceConfig): z.infer<typeof TokenAmountsSchema> {
  const amounts = { USD: formatDecimal(usd) } as Record<'USD' | TokenType, string>;
  for (const token of TOKEN_TYPES) {
    const places = TOKENS[token].decimals + RATE_PLACES_BELOW_ATOMIC;
    amounts[token] = formatDecimal(toTokens(usd, config.usdPerToken[token], places));
  }
  return amounts;
}

/** Our price for 1,000 tokens at this per-token upstream price: × 1000 × (1 + margin). */
function per1k(priceText: string, config: InferenceConfig) {
  const price = parseDecimal(priceText);
  if (!price) throw new Error(`unreadable price ${priceText}`);
  return inTokens(multiply(multiply(price, fromInteger(1000)), add(ONE, config.margin)), config);
}

export const openRouterModelsRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/inference/openrouter/models',
    tags: ['Inference'],
    summary: 'OpenRouter models and prices',
    description:
      'Every OpenRouter model that can be priced, with its context length, completion cap and our price per 1,000 prompt and completion tokens in USD, STX, sBTC and USDCx (the upstream price plus the margin). The catalogue is cached; `fetchedAt` says when it was read. Free.',
    responses: {
      200: { description: 'The catalogue', content: json(OpenRouterModelsSchema) },
      503: {
        description:
          '`upstream_unavailable`, `upstream_rate_limited`: the catalogue cannot be read; `inference_misconfigured`',
        content: json(ErrorSchema),
      },
    },
  }),
  pricing: FREE,
  handler: async (c) => {
    const configResult = getInferenceConfig(c.env);
    if (!configResult.ok) {
      return routeAnswer(
        unavailableBeforePayment(
          'inference_misconfigured',
          `Inference pricing is not configured on this server (${configResult.problems.join('; ')})`,
        ),
      );
    }
    const config = configResult.config;
    const loaded = await loadCatalogue(c.env, config.catalogueTtlSeconds);
    if (loaded.type === 'failed')
      return routeAnswer(upstreamFailureResponse(loaded.failure, false));
    const { catalogue } = loaded;
    const minimum = usdInTokens(config.minimumUsd, config);
    return c.json(
      {
        provider: 'openrouter' as const,
        fetchedAt: new Date(catalogue.fetchedAt).toISOString(),
        pricing: {
          margin: formatDecimal(config.margin),
          minimumUsd: formatDecimal(config.minimumUsd),
          minimum: Object.fromEntries(TOKEN_TYPES.map((t) => [t, minimum[t].toString()])),
          usdPerToken: Object.fromEntries(
            TOKEN_TYPES.map((t) => [t, formatDecimal(config.usdPerToken[t])]),
          ),
          defaultMaxTokens: config.defaultMaxTokens,
          formula: PRICE_FORMULA,
        },
        count: catalogue.models.length,
        models: catalogue.models.map((model) => ({
          id: model.id,
          name: model.name,
          contextLength: model.contextLength,
          maxCompletionTokens: model.maxCompletionTokens,
          upstreamPricing: model.pricing,
          pricePer1kTokens: {
            prompt: per1k(model.pricing.prompt, config),
            completion: per1k(model.pricing.completion, config),
          },
        })),
      },
      200,
    );
  },
});
