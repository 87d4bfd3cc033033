/**
 * OpenRouter's model catalogue (`GET /api/v1/models`), trimmed to what pricing and validation
 * read, and kept in KV under `inference:openrouter:models` for OPENROUTER_CATALOGUE_TTL_SECONDS
 * (docs/storage-schema.md). One cached copy is one catalogue version: the 402 and its paid retry,
 * moments apart, read the same prices, so their quotes agree to the atomic unit.
 *
 * A model whose prices are not plain non-negative decimals (OpenRouter lists "-1" for routers
 * whose price depends on the model they pick) cannot be quoted, so it is left out; so is one whose
 * call may cost more than its tokens at `prompt` and `completion`: a fee per request
 * (`pricing.request` above 0), or reasoning tokens priced above completion tokens
 * (`pricing.internal_reasoning`). Images and web search, priced too, cannot be asked for here.
 */
import { compare, type Decimal, isZero, parseDecimal } from './decimal';
import {
  isRecord,
  type OpenRouterEnv,
  openRouterFor,
  type UpstreamFailure,
} from './openrouter-client';

export const CATALOGUE_KV_KEY = 'inference:openrouter:models';

export interface CatalogueModel {
  id: string;
  name: string;
  contextLength: number;
  /** `top_provider.max_completion_tokens`; null when the model has no cap below its context. */
  maxCompletionTokens: number | null;
  /** USD per token, as OpenRouter lists them (decimal strings). */
  pricing: { prompt: string; completion: string };
  /** Parameters at least one provider of the model supports (`tools`, `response_format`, …). */
  supportedParameters: string[];
}

export interface Catalogue {
  /** Unix ms: when this copy was read from OpenRouter (its version). */
  fetchedAt: number;
  models: CatalogueModel[];
}

export type CatalogueOutcome =
  | { type: 'loaded'; catalogue: Catalogue }
  | { type: 'failed'; failure: UpstreamFailure };

/** The cached catalogue if it is fresh, else OpenRouter's, cached for `ttlSeconds`. */
export async function loadCatalogue(
  env: OpenRouterEnv & { KV: KVNamespace },
  ttlSeconds: number,
  now = Date.now(),
): Promise<CatalogueOutcome> {
  const cached = await env.KV.get<Catalogue>(CATALOGUE_KV_KEY, 'json');
  if (cached && Array.isArray(cached.models) && cached.fetchedAt + ttlSeconds * 1000 > now) {
    return { type: 'loaded', catalogue: cached };
  }
  const setup = openRouterFor(env, { forChat: false });
  if (setup.type === 'unavailable') {
    return {
      type: 'failed',
      failure: {
        code: 'upstream_unavailable',
        status: 503,
        retryAfterSeconds: 60,
        detail: setup.reason,
      },
    };
  }
  const listed = await setup.client.listModels();
  if (listed.type === 'failed') return listed;
  const catalogue: Catalogue = {
    fetchedAt: now,
    models: listed.models.flatMap((raw) => {
      const model = readModel(raw);
      return model ? [model] : [];
    }),
  };
  try {
    await env.KV.put(CATALOGUE_KV_KEY, JSON.stringify(catalogue), { expirationTtl: ttlSeconds });
  } catch (error) {
    // KV takes one write per key per second: a concurrent refresh may be refused. The copy in
    // hand is as good; the next request reads the other writer's.
    console.error('caching the OpenRouter catalogue failed', error);
  }
  return { type: 'loaded', catalogue };
}

export function findModel(catalogue: Catalogue, id: string): CatalogueModel | undefined {
  return catalogue.models.find((model) => model.id === id);
}

export interface ModelPrices {
  prompt: Decimal;
  completion: Decimal;
}

/** The model's prices as decimals (they were checked when the catalogue was read). */
export function pricesOf(model: Pick<CatalogueModel, 'id' | 'pricing'>): ModelPrices {
  const prompt = parseDecimal(model.pricing.prompt);
  const completion = parseDecimal(model.pricing.completion);
  if (!prompt || !completion) throw new Error(`${model.id} has unreadable prices`);
  return { prompt, completion };
}

const positiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** One entry of OpenRouter's `data`, or null when it cannot be priced or is malformed. */
export function readModel(raw: unknown): CatalogueModel | null {
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return null;
  const pricing = isRecord(raw.pricing) ? raw.pricing : {};
  const { prompt, completion } = pricing;
  if (typeof prompt !== 'string' || typeof completion !== 'string') return null;
  const completionPrice = parseDecimal(completion);
  if (!parseDecimal(prompt) || !completionPrice) return null;
  if (!costsNoMoreThan(pricing.request, null)) return null;
  if (!costsNoMoreThan(pricing.internal_reasoning, completionPrice)) return null;
  const top = isRecord(raw.top_provider) ? raw.top_provider : {};
  const contextLength = positiveInteger(raw.context_length)
    ? raw.context_length
    : positiveInteger(top.context_length)
      ? top.context_length
      : null;
  if (contextLength === null) return null;
  const cap = top.max_completion_tokens;
  if (cap !== null && cap !== undefined && !positiveInteger(cap)) return null;
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : raw.id,
    contextLength,
    maxCompletionTokens: cap ?? null,
    pricing: { prompt: prompt.trim(), completion: completion.trim() },
    supportedParameters: Array.isArray(raw.supported_parameters)
      ? raw.supported_parameters.filter((p): p is string => typeof p === 'string')
      : [],
  };
}

/**
 * Whether an optional listed price is absent or at most `bound` (null: zero). A price that is not
 * a plain decimal cannot be bounded.
 */
function costsNoMoreThan(price: unknown, bound: Decimal | null): boolean {
  if (price === undefined || price === null) return true;
  const value = typeof price === 'string' ? parseDecimal(price) : null;
  if (!value) return false;
  return bound === null ? isZero(value) : compare(value, bound) <= 0;
}
