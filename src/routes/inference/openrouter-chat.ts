/**
 * `POST /inference/openrouter/chat`: an OpenAI-style chat completion through OpenRouter, priced
 * per request (tier `dynamic`) and settled first (order `upfront`).
 *
 * Before the 402 (never charged): the request's shape, the model (an unknown id is a 400
 * `invalid_model` with up to 3 similar ids), parameters no provider of the model supports, and
 * whether the prompt and `max_tokens` fit the model's context. The quote (src/inference/quote.ts)
 * is shown in every requirement's `extra.estimate`.
 *
 * After settlement: OpenRouter is called with exactly the `max_tokens` that was priced (and a
 * `provider.max_price` at the listed prices, so no provider may cost more than was priced); the
 * cost it reports (`usage.cost`) is recorded against the payment and answered in
 * `x-inference-cost-usd`. A failure is answered with a clear code and `retry-after`, and the
 * payment is recorded as owed. `stream: true` relays the events as they arrive; the stream's end
 * records the usage, or the amount owed when it breaks off or reports an error.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { untilStreamEnds } from '../../http/after-answer';
import { type Catalogue, findModel, loadCatalogue } from '../../inference/catalogue';
import { getInferenceConfig } from '../../inference/config';
import {
  type Decimal,
  formatDecimal,
  fromInteger,
  multiply,
  parseDecimal,
} from '../../inference/decimal';
import { relayEventStream } from '../../inference/event-stream';
import { isRecord, openRouterFor } from '../../inference/openrouter-client';
import { OpenRouterRelay } from '../../inference/openrouter-stream';
import { estimatePromptTokens } from '../../inference/prompt-tokens';
import { type ChatQuote, quoteChat, tokenCost } from '../../inference/quote';
import { similarIds } from '../../inference/similar-ids';
import {
  type CallOutcome,
  type PricedCall,
  readReportedUsage,
  recordStreamEnd,
  usageStatement,
} from '../../inference/usage';
import type { Quote } from '../../payment/gate';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { defineRoute } from '../registry';
import { json, validBody } from '../storage/payer-store-routes';
import {
  ChatCompletionSchema,
  type OpenRouterChatRequest,
  OpenRouterChatRequestSchema,
  requestedMaxTokens,
} from './chat-schemas';
import {
  COST_HEADER,
  eventStreamResponse,
  invalidRequest,
  routeAnswer,
  streamIdleTimeoutMs,
  unavailableBeforePayment,
  upstreamFailureResponse,
} from './responses';
import { upstreamFailures } from './route-docs';

const refused = (response: Response): Quote => ({ type: 'refused', response });

/** Parameters that change what a model must do: refused before the 402 if no provider has them. */
function unsupportedParameter(
  request: OpenRouterChatRequest,
  supported: readonly string[],
): string | undefined {
  if (supported.length === 0) return undefined;
  if ((request.tools || request.tool_choice) && !supported.includes('tools')) return 'tools';
  if (
    request.response_format &&
    request.response_format.type !== 'text' &&
    !supported.includes('response_format') &&
    !supported.includes('structured_outputs')
  ) {
    return 'response_format';
  }
  return undefined;
}

function unknownModel(catalogue: Catalogue, id: string): Response {
  const similar = similarIds(
    id,
    catalogue.models.map((model) => model.id),
  );
  const hint = similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : '';
  return invalidRequest(
    'invalid_model',
    `model: ${JSON.stringify(id)} is not an OpenRouter model offered here (GET /inference/openrouter/models lists them)${hint}`,
    { similar },
  );
}

/** The `dynamic` tier's quote; refusals are answered before any 402. */
export async function quoteOpenRouterChat(c: Context<AppEnv>): Promise<Quote> {
  const request = validBody<OpenRouterChatRequest>(c);
  const configResult = getInferenceConfig(c.env);
  if (!configResult.ok) {
    return refused(
      unavailableBeforePayment(
        'inference_misconfigured',
        `Inference pricing is not configured on this server (${configResult.problems.join('; ')})`,
      ),
    );
  }
  const config = configResult.config;
  const setup = openRouterFor(c.env, { forChat: true });
  if (setup.type === 'unavailable') {
    return refused(
      unavailableBeforePayment(
        'inference_unavailable',
        `OpenRouter is not configured on this server: ${setup.reason}`,
      ),
    );
  }
  const loaded = await loadCatalogue(c.env, config.catalogueTtlSeconds);
  if (loaded.type === 'failed') return refused(upstreamFailureResponse(loaded.failure, false));
  const model = findModel(loaded.catalogue, request.model);
  if (!model) return refused(unknownModel(loaded.catalogue, request.model));
  const unsupported = unsupportedParameter(request, model.supportedParameters);
  if (unsupported) {
    return refused(
      invalidRequest(
        'unsupported_parameter',
        `${unsupported}: no provider of ${model.id} supports it`,
      ),
    );
  }
  const result = quoteChat(
    model,
    estimatePromptTokens(request),
    requestedMaxTokens(request),
    config,
  );
  if (result.type === 'context_exceeded') {
    const { promptTokens, maxTokens, contextLength } = result;
    return refused(
      invalidRequest(
        'context_length_exceeded',
        `messages: about ${promptTokens} prompt tokens and max_tokens ${maxTokens} do not fit ${model.id}'s context of ${contextLength} tokens; send less text or a smaller max_tokens`,
        { promptTokens, maxTokens, contextLength },
      ),
    );
  }
  const { quote } = result;
  c.set('chatQuote', quote);
  return {
    type: 'priced',
    prices: quote.prices,
    extra: {
      estimate: {
        model: quote.model,
        promptTokens: quote.promptTokens,
        maxTokens: quote.maxTokens,
        upstreamUsd: quote.upstreamUsd,
        priceUsd: quote.priceUsd,
      },
    },
  };
}

/** USD per million tokens, as OpenRouter's `provider.max_price` takes it. */
function perMillion(price: string): number {
  const perToken = parseDecimal(price) as Decimal;
  return Number(formatDecimal(multiply(perToken, fromInteger(1_000_000))));
}

/** What OpenRouter is sent: the caller's request with the priced limits, and usage asked for. */
export function upstreamRequest(request: OpenRouterChatRequest, quote: ChatQuote) {
  const { max_completion_tokens, stream_options, n, ...rest } = request;
  return {
    ...rest,
    model: quote.model,
    max_tokens: quote.maxTokens,
    stream: request.stream === true,
    usage: { include: true },
    provider: {
      max_price: {
        prompt: perMillion(quote.pricing.prompt),
        completion: perMillion(quote.pricing.completion),
      },
    },
  };
}

export const openRouterChatRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/inference/openrouter/chat',
    tags: ['Inference'],
    summary: 'Chat with an OpenRouter model',
    description:
      'An OpenAI-style chat completion through OpenRouter, priced from the request: (estimated prompt tokens × prompt price + `max_tokens` × completion price) × (1 + margin), at least a minimum, in STX, sBTC or USDCx (the 402 shows the estimate in `extra.estimate`). `max_tokens` defaults to a configured value and never exceeds the model’s cap; the call is made with exactly that limit. Settled first: the actual cost is recorded against the payment (`GET /payment-status/{paymentId}` shows `usage`) and answered in `x-inference-cost-usd`; an upstream failure is recorded as owed to you. `stream: true` answers server-sent events as they arrive.',
    request: { body: { required: true, content: json(OpenRouterChatRequestSchema) } },
    responses: {
      200: {
        description:
          'The completion (`application/json`), or with `stream: true` its `text/event-stream` chunks, a final usage chunk and `data: [DONE]`',
        content: json(ChatCompletionSchema),
      },
      ...errorResponses,
      ...upstreamFailures,
      400: {
        description:
          'Invalid request, `invalid_model` (with `similar` ids), `unsupported_parameter`, `context_length_exceeded` (never charged); `upstream_rejected` after settlement (owed)',
        content: json(ErrorSchema),
      },
    },
  }),
  pricing: { tier: 'dynamic', order: 'upfront' },
  quote: quoteOpenRouterChat,
  handler: async (c) => {
    const request = c.req.valid('json');
    const quote = c.get('chatQuote');
    const served = c.get('served');
    if (!quote || !served) throw new Error('the chat handler ran without its quote or its payment');
    const call: PricedCall = {
      paymentId: served.paymentId,
      provider: 'openrouter',
      model: quote.model,
      streamed: request.stream === true,
      maxTokens: quote.maxTokens,
      estimatedPromptTokens: quote.promptTokens,
      quotedUsd: quote.priceUsd,
      token: served.token,
      amount: served.amount,
    };
    const costOf = (prompt: number, completion: number) =>
      tokenCost({ id: quote.model, pricing: quote.pricing }, prompt, completion);
    const record = (outcome: CallOutcome) => {
      const { statement, actualUsd } = usageStatement(c.env.DB, c.env, call, outcome, costOf);
      c.set('recordWithAnswer', [statement]);
      return actualUsd;
    };

    const setup = openRouterFor(c.env, { forChat: true });
    if (setup.type === 'unavailable') {
      const failure = {
        code: 'upstream_unavailable' as const,
        status: 503 as const,
        retryAfterSeconds: 60,
        detail: setup.reason,
      };
      record({ status: 'failed', detail: failure.detail, usage: null });
      return routeAnswer(upstreamFailureResponse(failure, true));
    }
    const outcome = await setup.client.chat(upstreamRequest(request, quote));
    if (outcome.type === 'failed') {
      record({ status: 'failed', detail: outcome.failure.detail, usage: null });
      return routeAnswer(upstreamFailureResponse(outcome.failure, true));
    }
    if (outcome.type === 'streaming') {
      const db = c.env.DB;
      const relayed = relayEventStream(
        outcome.body,
        new OpenRouterRelay(),
        (end) => recordStreamEnd(db, c.env, call, end, costOf),
        { idleTimeoutMs: streamIdleTimeoutMs(c.env) },
      );
      untilStreamEnds(c, relayed.finished, 'recording a streamed chat');
      return routeAnswer(eventStreamResponse(relayed.body));
    }
    const body = outcome.body;
    if (!isRecord(body) || !Array.isArray(body.choices) || body.error !== undefined) {
      const failure = {
        code: 'upstream_error' as const,
        status: 502 as const,
        retryAfterSeconds: 5,
        detail: `OpenRouter answered 200 with ${isRecord(body) && isRecord(body.error) ? `an error (${String(body.error.message)})` : 'no completion'}`,
      };
      record({
        status: 'failed',
        detail: failure.detail,
        usage: readReportedUsage(isRecord(body) ? body.usage : undefined),
      });
      return routeAnswer(upstreamFailureResponse(failure, true));
    }
    const actualUsd = record({
      status: 'completed',
      usage: readReportedUsage(body.usage),
      ...(typeof body.id === 'string' ? { generationId: body.id } : {}),
    });
    const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
    if (actualUsd !== null) headers.set(COST_HEADER, formatDecimal(actualUsd));
    return routeAnswer(new Response(outcome.text, { status: 200, headers }));
  },
});
