/**
 * `POST /api/v1/chat/completions` answers, once the request has passed validation: one JSON
 * `chat.completion`, or with `stream: true` server-sent events in OpenRouter's order:
 *
 *   : OPENROUTER PROCESSING            (twice: OpenRouter's keep-alive comments)
 *   data: {… "object": "chat.completion.chunk", "choices": [{"delta": {"role", "content"}, …}]}
 *                                      (one per word; each word after the first has its space
 *                                       in front, so the contents join to the JSON answer's text)
 *   data: {… "choices": [{"delta": {"content": ""}, "finish_reason": "stop" | "length", …}]}
 *   data: {… "choices": [], "usage": {…}}
 *   data: [DONE]
 *
 * A `mid-stream-error` fault cuts the stream after some words with OpenRouter's documented
 * mid-stream error event (top-level `error`, `finish_reason: "error"`) and no [DONE].
 */
import type { ChatRequest } from './chat-request.ts';
import { replyWords } from './completion-text.ts';
import type { GenerationStats } from './generations.ts';
import { dataFrame, PROCESSING_COMMENT, type Reply } from './http.ts';
import { buildUsage } from './usage.ts';

/** Keep-alive comments sent before the first token. */
export const PROCESSING_COMMENTS = 2;

export interface MidStreamError {
  /** Content chunks sent before the error (fewer if the reply is shorter). */
  afterChunks: number;
  code: number | string;
  message: string;
}

export interface CompletionContext {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The stand-in's pause between stream frames, for the generation's timings. */
  chunkDelayMs: number;
  midStreamError?: MidStreamError;
}

export interface Completion {
  reply: Reply;
  stats: GenerationStats;
}

export function completeChat(request: ChatRequest, context: CompletionContext): Completion {
  const { model } = request;
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const { words, finishReason } = replyWords(lastUser?.text ?? '', request.maxTokens);
  const nativeFinishReason = model.nativeFinishReason[finishReason];
  const head = {
    id: context.id,
    provider: model.provider,
    model: model.catalogue.id,
    created: context.created,
  };
  const headers = { 'x-generation-id': context.id };

  const cut = request.stream ? context.midStreamError : undefined;
  const sentWords = cut ? words.slice(0, Math.max(0, cut.afterChunks)) : words;
  const usage = buildUsage(model.catalogue.pricing, request.promptTokens, sentWords.length);
  const stats = generationStats(request, context, {
    completionTokens: sentWords.length,
    cost: usage.cost,
    finishReason: cut ? 'error' : finishReason,
    nativeFinishReason: cut ? 'error' : nativeFinishReason,
  });

  if (!request.stream) {
    return {
      stats,
      reply: {
        status: 200,
        headers,
        json: {
          ...head,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              logprobs: null,
              finish_reason: finishReason,
              native_finish_reason: nativeFinishReason,
              message: { role: 'assistant', content: words.join(' '), refusal: null },
            },
          ],
          usage,
        },
      },
    };
  }

  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    dataFrame({ ...head, object: 'chat.completion.chunk', choices, ...extra });
  const delta = (content: string, finish: string | null, native: string | null) => ({
    index: 0,
    delta: { role: 'assistant', content },
    finish_reason: finish,
    native_finish_reason: native,
    logprobs: null,
  });
  const frames = [
    ...Array.from({ length: PROCESSING_COMMENTS }, () => PROCESSING_COMMENT),
    ...sentWords.map((word, i) => chunk([delta(i === 0 ? word : ` ${word}`, null, null)])),
  ];
  if (cut) {
    // OpenRouter's documented mid-stream error: the HTTP status is already 200, so the error
    // comes as a chunk with a top-level `error` and finish_reason "error"; the stream then ends.
    frames.push(
      dataFrame({
        id: head.id,
        object: 'chat.completion.chunk',
        created: head.created,
        model: head.model,
        provider: head.provider,
        error: { code: cut.code, message: cut.message },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
    );
  } else {
    frames.push(
      chunk([delta('', finishReason, nativeFinishReason)]),
      chunk([], { usage }),
      dataFrame('[DONE]'),
    );
  }
  return { stats, reply: { status: 200, headers, frames } };
}

function generationStats(
  request: ChatRequest,
  context: CompletionContext,
  outcome: {
    completionTokens: number;
    cost: number;
    finishReason: string;
    nativeFinishReason: string;
  },
): GenerationStats {
  // Timings follow the stand-in's own pacing: a JSON answer is immediate; a stream sends its
  // comments, then one word per pause.
  const pause = request.stream ? context.chunkDelayMs : 0;
  return {
    id: context.id,
    upstream_id: null,
    total_cost: outcome.cost,
    cache_discount: null,
    upstream_inference_cost: null,
    created_at: new Date(context.created * 1000).toISOString(),
    model: request.model.catalogue.id,
    app_id: null,
    streamed: request.stream,
    cancelled: false,
    provider_name: request.model.provider,
    latency: PROCESSING_COMMENTS * pause,
    moderation_latency: null,
    generation_time: outcome.completionTokens * pause,
    finish_reason: outcome.finishReason,
    native_finish_reason: outcome.nativeFinishReason,
    tokens_prompt: request.promptTokens,
    tokens_completion: outcome.completionTokens,
    native_tokens_prompt: request.promptTokens,
    native_tokens_completion: outcome.completionTokens,
    native_tokens_reasoning: 0,
    native_tokens_cached: 0,
    num_media_prompt: null,
    num_media_completion: null,
    num_search_results: null,
    origin: '',
    usage: outcome.cost,
    is_byok: false,
    api_type: 'completions',
  };
}
