/**
 * `GET /api/v1/generation?id=gen-…`: the stats of a generation the stand-in served, as OpenRouter
 * keeps them (tokens, cost, finish reason, whether it was streamed). Kept in memory, the most
 * recent MAX_GENERATIONS only; gone when the stand-in stops.
 */
import { errorReply, type JsonReply, type StandinRequest } from './http.ts';

export const MAX_GENERATIONS = 1000;

/** `data` of `GET /api/v1/generation`, in OpenRouter's field names. */
export interface GenerationStats {
  id: string;
  upstream_id: string | null;
  total_cost: number;
  cache_discount: number | null;
  upstream_inference_cost: number | null;
  /** ISO 8601. */
  created_at: string;
  model: string;
  app_id: number | null;
  streamed: boolean;
  cancelled: boolean;
  provider_name: string;
  /** Milliseconds to the first token. */
  latency: number;
  moderation_latency: number | null;
  /** Milliseconds from the first token to the last. */
  generation_time: number;
  finish_reason: string;
  native_finish_reason: string;
  tokens_prompt: number;
  tokens_completion: number;
  native_tokens_prompt: number;
  native_tokens_completion: number;
  native_tokens_reasoning: number;
  native_tokens_cached: number;
  num_media_prompt: number | null;
  num_media_completion: number | null;
  num_search_results: number | null;
  origin: string;
  /** USD, the same as total_cost. */
  usage: number;
  is_byok: boolean;
  api_type: string;
}

export class GenerationLog {
  private readonly byId = new Map<string, GenerationStats>();

  record(stats: GenerationStats): void {
    this.byId.set(stats.id, stats);
    // Maps iterate in insertion order: the first key is the oldest.
    if (this.byId.size > MAX_GENERATIONS) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
  }

  find(id: string): GenerationStats | undefined {
    return this.byId.get(id);
  }
}

export function generationReply(log: GenerationLog, request: StandinRequest): JsonReply {
  const id = request.url.searchParams.get('id');
  if (!id) return errorReply(400, 'The "id" query parameter is required: a generation ID (gen-…)');
  const stats = log.find(id);
  if (!stats) return errorReply(404, 'Generation not found');
  return { status: 200, json: { data: stats } };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A generation id shaped like OpenRouter's: `gen-<unix seconds>-<20 letters and digits>`. */
export function newGenerationId(createdSeconds: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const suffix = Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
  return `gen-${createdSeconds}-${suffix}`;
}
