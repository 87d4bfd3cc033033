/**
 * Inference configuration, read from Worker vars and validated once per isolate, apart from the
 * service configuration (src/config.ts).
 */
import { seconds } from '../config';
import type { TokenType } from '../stacks/tokens';
import { compare, type Decimal, formatDecimal, ONE, parseDecimal, ZERO } from './decimal';

/**
 * Pricing of the inference routes (DESIGN section 6, the `dynamic` tier): the upstream cost of a
 * call at most, plus a margin, at least a minimum, converted to each token at configured prices.
 * Kept apart from `ServiceConfig` so that a broken inference setting refuses inference only
 * (`503 inference_misconfigured`), never prices it wrong, and leaves the other paid routes up.
 */
export interface InferenceConfig {
  /** Fraction added to the upstream cost: 0.2 charges 120% of it. */
  margin: Decimal;
  /** The least one call costs, in USD. */
  minimumUsd: Decimal;
  /** USD for one whole token: STX and BTC (for sBTC) configured, USDCx pegged at 1. */
  usdPerToken: Record<TokenType, Decimal>;
  /** `max_tokens` for a request that names none (then capped by the model's own limit). */
  defaultMaxTokens: number;
  /** How long the OpenRouter model catalogue is kept in KV (KV's least TTL is 60 s). */
  catalogueTtlSeconds: number;
  /**
   * How long a relayed stream may go without a byte from upstream before the Worker ends it (an
   * error event and [DONE] to the caller, the upstream cancelled, the payment owed).
   */
  streamIdleTimeoutMs: number;
}

/** INFERENCE_STREAM_IDLE_SECONDS when unset. */
export const DEFAULT_STREAM_IDLE_SECONDS = 60;

export interface InferenceVars {
  INFERENCE_MARGIN?: string;
  INFERENCE_MINIMUM_USD?: string;
  STX_USD_PRICE?: string;
  BTC_USD_PRICE?: string;
  INFERENCE_DEFAULT_MAX_TOKENS?: string;
  OPENROUTER_CATALOGUE_TTL_SECONDS?: string;
  INFERENCE_STREAM_IDLE_SECONDS?: string;
}

export type InferenceConfigResult =
  | { ok: true; config: InferenceConfig }
  | { ok: false; problems: string[] };

/** A decimal var, positive (or, with `allowZero`, non-negative); no default: prices never guess. */
function decimalVar(
  problems: string[],
  name: string,
  value: string | undefined,
  { allowZero = false, max }: { allowZero?: boolean; max?: Decimal } = {},
): Decimal {
  const parsed = parseDecimal(value ?? '');
  const ok =
    parsed !== null &&
    (allowZero || compare(parsed, ZERO) > 0) &&
    (max === undefined || compare(parsed, max) <= 0);
  if (!ok) {
    problems.push(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} decimal number such as "0.25"${max ? ` no greater than ${formatDecimal(max)}` : ''} (got ${JSON.stringify(value ?? null)})`,
    );
    return ONE;
  }
  return parsed;
}

export function parseInferenceConfig(vars: InferenceVars): InferenceConfigResult {
  const problems: string[] = [];
  const margin = decimalVar(problems, 'INFERENCE_MARGIN', vars.INFERENCE_MARGIN, {
    allowZero: true,
    max: { units: 10n, scale: 0 },
  });
  const minimumUsd = decimalVar(problems, 'INFERENCE_MINIMUM_USD', vars.INFERENCE_MINIMUM_USD);
  const stx = decimalVar(problems, 'STX_USD_PRICE', vars.STX_USD_PRICE);
  const btc = decimalVar(problems, 'BTC_USD_PRICE', vars.BTC_USD_PRICE);
  const maxTokensRaw = vars.INFERENCE_DEFAULT_MAX_TOKENS?.trim() ?? '';
  const defaultMaxTokens = Number(maxTokensRaw);
  if (!/^[1-9][0-9]{0,6}$/.test(maxTokensRaw) || defaultMaxTokens > 1_000_000) {
    problems.push(
      `INFERENCE_DEFAULT_MAX_TOKENS must be a whole number of tokens from 1 to 1000000 (got ${JSON.stringify(vars.INFERENCE_DEFAULT_MAX_TOKENS ?? null)})`,
    );
  }
  const ttl = seconds(
    problems,
    'OPENROUTER_CATALOGUE_TTL_SECONDS',
    vars.OPENROUTER_CATALOGUE_TTL_SECONDS,
    300,
    86_400,
  );
  if (ttl < 60) {
    problems.push(
      `OPENROUTER_CATALOGUE_TTL_SECONDS must be at least 60, KV's shortest TTL (got ${JSON.stringify(vars.OPENROUTER_CATALOGUE_TTL_SECONDS)})`,
    );
  }
  const streamIdle = seconds(
    problems,
    'INFERENCE_STREAM_IDLE_SECONDS',
    vars.INFERENCE_STREAM_IDLE_SECONDS,
    DEFAULT_STREAM_IDLE_SECONDS,
    600,
  );
  if (streamIdle < 1) {
    problems.push(
      `INFERENCE_STREAM_IDLE_SECONDS must be at least 1 (got ${JSON.stringify(vars.INFERENCE_STREAM_IDLE_SECONDS)})`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      margin,
      minimumUsd,
      usdPerToken: { STX: stx, sBTC: btc, USDCx: ONE },
      defaultMaxTokens,
      catalogueTtlSeconds: ttl,
      streamIdleTimeoutMs: streamIdle * 1000,
    },
  };
}

const inferenceCache = new WeakMap<object, InferenceConfigResult>();

/** Parses the inference pricing once per `env` object, like `getServiceConfig`. */
export function getInferenceConfig(env: InferenceVars): InferenceConfigResult {
  let result = inferenceCache.get(env);
  if (!result) {
    result = parseInferenceConfig(env);
    if (!result.ok) console.error(`inference routes disabled: ${result.problems.join('; ')}`);
    inferenceCache.set(env, result);
  }
  return result;
}
