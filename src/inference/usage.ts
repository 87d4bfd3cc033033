/**
 * What an inference call really cost, recorded against its payment in D1 (`inference_usage`,
 * docs/storage-schema.md) and shown by `GET /payment-status/{paymentId}` as `usage`.
 *
 * A JSON answer's row is written in the batch that keeps the answer (no extra round trip); a
 * stream's row when the stream ends, after the answer, with the amount owed in the same batch if
 * the stream failed.
 */

import { recordOwedStatement } from '../payment/ledger';
import { parseTokenType } from '../stacks/tokens';
import { getInferenceConfig } from './config';
import { type Decimal, decimalFromNumber, formatDecimal } from './decimal';
import { isRecord } from './openrouter-client';
import { usdToAtomic } from './quote';

export type Provider = 'openrouter' | 'cloudflare';

/** Token counts and cost as the upstream reported them. */
export interface ReportedUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  /** USD; null when the upstream gave no cost (it is then computed from the tokens). */
  costUsd: Decimal | null;
}

/** How the call ended, as far as its caller's money goes: a failure is owed. */
export interface CallOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  detail?: string;
  usage: ReportedUsage | null;
  generationId?: string;
}

/** What was priced, known before the call. */
export interface PricedCall {
  paymentId: string;
  provider: Provider;
  model: string;
  streamed: boolean;
  maxTokens: number;
  estimatedPromptTokens: number;
  /** The price in USD; null when it cannot be told (no configured rate for the token). */
  quotedUsd: string | null;
  /** The ledger's token (STX | sBTC | USDCx). */
  token: string;
  /** Atomic units paid: owed back if the call fails. */
  amount: bigint;
}

/** OpenRouter's (or our own) `usage` object: token counts and, when given, `cost` in USD. */
export function readReportedUsage(value: unknown): ReportedUsage | null {
  if (!isRecord(value)) return null;
  const count = (v: unknown) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  const promptTokens = count(value.prompt_tokens);
  const completionTokens = count(value.completion_tokens);
  const costUsd = typeof value.cost === 'number' ? decimalFromNumber(value.cost) : null;
  if (promptTokens === null && completionTokens === null && costUsd === null) return null;
  return { promptTokens, completionTokens, costUsd };
}

/**
 * When the upstream counted more prompt tokens than were priced (prompt-tokens.ts is meant to be
 * an upper bound; a tokenizer with byte fallback can exceed it on rare characters), how many more,
 * as a sentence for the row's `detail`; the actual cost is recorded beside it.
 */
export function promptTokensOverEstimate(
  call: PricedCall,
  usage: ReportedUsage | null,
): string | undefined {
  const counted = usage?.promptTokens;
  if (counted == null || counted <= call.estimatedPromptTokens) return undefined;
  const over = counted - call.estimatedPromptTokens;
  return `the upstream counted ${counted} prompt tokens, ${over} more than the ${call.estimatedPromptTokens} priced`;
}

/**
 * The row for a call. `costOf` prices reported tokens when the upstream gave no cost (Workers AI
 * never does); the actual amount is that cost in the paid token at the configured rate.
 */
export function usageStatement(
  db: D1Database,
  env: Env,
  call: PricedCall,
  outcome: CallOutcome,
  costOf: (promptTokens: number, completionTokens: number) => Decimal,
  now = Date.now(),
): { statement: D1PreparedStatement; actualUsd: Decimal | null } {
  const usage = outcome.usage;
  let actualUsd = usage?.costUsd ?? null;
  if (actualUsd === null && usage?.promptTokens != null && usage.completionTokens != null) {
    actualUsd = costOf(usage.promptTokens, usage.completionTokens);
  }
  const token = parseTokenType(call.token);
  const config = getInferenceConfig(env);
  const actualAmount =
    actualUsd !== null && token && config.ok ? usdToAtomic(actualUsd, token, config.config) : null;
  const detail = [outcome.detail, promptTokensOverEstimate(call, usage)].filter(Boolean).join('; ');
  const statement = db
    .prepare(
      `INSERT INTO inference_usage (payment_id, provider, model, streamed, max_tokens, estimated_prompt_tokens,
         prompt_tokens, completion_tokens, quoted_usd, actual_usd, token, actual_amount, outcome, detail,
         generation_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING`,
    )
    .bind(
      call.paymentId,
      call.provider,
      call.model,
      call.streamed ? 1 : 0,
      call.maxTokens,
      call.estimatedPromptTokens,
      usage?.promptTokens ?? null,
      usage?.completionTokens ?? null,
      call.quotedUsd,
      actualUsd === null ? null : formatDecimal(actualUsd),
      call.token,
      actualAmount === null ? null : actualAmount.toString(),
      outcome.status,
      detail === '' ? null : detail,
      outcome.generationId ?? null,
      now,
    );
  return { statement, actualUsd };
}

/** A stream ended: its usage, and the amount owed if it failed, in one batch. */
export async function recordStreamEnd(
  db: D1Database,
  env: Env,
  call: PricedCall,
  outcome: CallOutcome,
  costOf: (promptTokens: number, completionTokens: number) => Decimal,
): Promise<void> {
  const now = Date.now();
  const { statement } = usageStatement(db, env, call, outcome, costOf, now);
  await db.batch([
    statement,
    ...(outcome.status === 'failed'
      ? [recordOwedStatement(db, call.paymentId, call.amount, now)]
      : []),
  ]);
}

export function usageQuery(db: D1Database, paymentId: string): D1PreparedStatement {
  return db.prepare('SELECT * FROM inference_usage WHERE payment_id = ?').bind(paymentId);
}

export { toUsageView, type UsageRow, type UsageView } from './usage-view';
