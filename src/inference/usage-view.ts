/**
 * An `inference_usage` row (docs/storage-schema.md) and how `GET /payment-status/{paymentId}` shows
 * it as `usage`. Plain types and a mapping, with no Workers types, so the end-to-end tests read
 * the same shape.
 */

/** `usage` of `GET /payment-status/{paymentId}`. */
export interface UsageView {
  provider: string;
  model: string;
  streamed: boolean;
  maxTokens: number;
  estimatedPromptTokens: number;
  promptTokens: number | null;
  completionTokens: number | null;
  quotedUsd: string | null;
  actualUsd: string | null;
  token: string;
  actualAmount: string | null;
  outcome: string;
  detail?: string;
  generationId?: string;
  recordedAt: string;
}

export interface UsageRow {
  provider: string;
  model: string;
  streamed: number;
  max_tokens: number;
  estimated_prompt_tokens: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  quoted_usd: string | null;
  actual_usd: string | null;
  token: string;
  actual_amount: string | null;
  outcome: string;
  detail: string | null;
  generation_id: string | null;
  recorded_at: number;
}

export function toUsageView(row: UsageRow): UsageView {
  return {
    provider: row.provider,
    model: row.model,
    streamed: row.streamed === 1,
    maxTokens: row.max_tokens,
    estimatedPromptTokens: row.estimated_prompt_tokens,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    quotedUsd: row.quoted_usd,
    actualUsd: row.actual_usd,
    token: row.token,
    actualAmount: row.actual_amount,
    outcome: row.outcome,
    ...(row.detail ? { detail: row.detail } : {}),
    ...(row.generation_id ? { generationId: row.generation_id } : {}),
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}
