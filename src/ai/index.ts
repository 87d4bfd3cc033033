/**
 * Workers AI for the Worker: `aiClientFor(env)` picks the `AI` binding where it exists
 * (`[env.staging]`, `[env.production]`), else the REST API at `WORKERS_AI_URL` (locally the
 * stand-in of ai-standin/, `npm run ai-standin`). Without either, every call fails with
 * `ai_unavailable` and a sentence saying what to set, rather than throwing while a route starts.
 */
import { BindingAi } from './binding-ai';
import { AiError } from './errors';
import { RestAi } from './rest-ai';
import type { AiClient } from './types';

export { BindingAi, type BindingAiOptions } from './binding-ai';
export { AI_ERROR_CODES, AiError, type AiErrorCode, type AiErrorDetails } from './errors';
export {
  LLAMA_GUARD_CATEGORIES,
  type LlamaGuardCategory,
  readLlamaGuardVerdict,
} from './llama-guard';
export * from './models';
export { RestAi, type RestAiOptions } from './rest-ai';
export type * from './types';
export { DEFAULT_AI_TIMEOUT_MS } from './workers-ai-client';

/** The part of the Worker's env that chooses and configures the AI client. */
export interface AiEnv {
  /** The Workers AI binding: declared in the staging and production environments only. */
  AI?: Ai;
  /** REST base URL when there is no binding: the stand-in locally, empty on Cloudflare. */
  WORKERS_AI_URL?: string;
  /** The account in the REST path (`local` for the stand-in, which accepts any). */
  WORKERS_AI_ACCOUNT_ID?: string;
  /** A secret (`wrangler secret put`), for REST against the real API; the stand-in needs none. */
  WORKERS_AI_API_TOKEN?: string;
}

export function aiClientFor(env: AiEnv, options: { timeoutMs?: number } = {}): AiClient {
  if (env.AI) return new BindingAi(env.AI, options);
  const baseUrl = env.WORKERS_AI_URL?.trim() ?? '';
  const accountId = env.WORKERS_AI_ACCOUNT_ID?.trim() ?? '';
  if (baseUrl === '') {
    return new UnavailableAi(
      'Workers AI is not configured: there is no AI binding and WORKERS_AI_URL is empty (locally, run `npm run ai-standin` and set WORKERS_AI_URL=http://127.0.0.1:4010).',
    );
  }
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl) || !URL.canParse(baseUrl)) {
    return new UnavailableAi(
      `Workers AI is misconfigured: WORKERS_AI_URL must be an http(s) URL (got ${JSON.stringify(baseUrl)}).`,
    );
  }
  if (accountId === '') {
    return new UnavailableAi(
      'Workers AI is misconfigured: WORKERS_AI_URL is set but WORKERS_AI_ACCOUNT_ID is empty.',
    );
  }
  return new RestAi({ baseUrl, accountId, token: env.WORKERS_AI_API_TOKEN, ...options });
}

/** Every call fails with `ai_unavailable` and the configuration problem. */
class UnavailableAi implements AiClient {
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  embed(): Promise<number[][]> {
    return Promise.reject(new AiError('ai_unavailable', this.#reason));
  }

  chat(): Promise<never> {
    return Promise.reject(new AiError('ai_unavailable', this.#reason));
  }

  moderate(): Promise<never> {
    return Promise.reject(new AiError('ai_unavailable', this.#reason));
  }
}
