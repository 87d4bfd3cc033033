/**
 * `/inference/cloudflare`: Workers AI chat through the AI interface (src/ai/), on the listed
 * models only (src/inference/cloudflare-models.ts), answering OpenAI's chat-completion shape.
 *
 * `POST /inference/cloudflare/chat` is standard tier, settled first (`upfront`): the request is
 * checked before the 402 (a model not on the list is a 400 `invalid_model`, and the prompt and
 * `max_tokens` must fit the model's context, and their worst-case cost the standard price:
 * cloudflare-quote.ts); after settlement Workers AI runs once, the cost of
 * the tokens it reports at Cloudflare's prices is recorded against the payment and answered in
 * `x-inference-cost-usd`, and a failure (`ai_unavailable` 503, `ai_timeout` 504,
 * `ai_bad_response` 502, each with `retry-after`) is recorded as owed. `stream: true` relays the
 * events as they arrive, re-told as `chat.completion.chunk`s.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AiError, aiClientFor } from '../../ai';
import { configOf, getServiceConfig } from '../../config';
import { untilStreamEnds } from '../../http/after-answer';
import {
  CLOUDFLARE_DEFAULT_MAX_TOKENS,
  CLOUDFLARE_MAX_TOKENS,
  CLOUDFLARE_MODELS,
  type CloudflareChatModel,
  cloudflareCost,
} from '../../inference/cloudflare-models';
import { getInferenceConfig } from '../../inference/config';
import { formatDecimal } from '../../inference/decimal';
import { relayEventStream } from '../../inference/event-stream';
import { atomicToUsd } from '../../inference/quote';
import {
  type CallOutcome,
  type PricedCall,
  type ReportedUsage,
  recordStreamEnd,
  usageStatement,
} from '../../inference/usage';
import { finishReason, openAiUsage, WorkersAiRelay } from '../../inference/workers-ai-stream';
import { jsonError } from '../../payment/http-responses';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { parseTokenType, TOKEN_TYPES } from '../../stacks/tokens';
import { defineRoute, FREE, STANDARD_UPFRONT } from '../registry';
import { json } from '../storage/payer-store-routes';
import { ChatCompletionSchema, CloudflareChatRequestSchema } from './chat-schemas';
import { planCloudflareChat, quoteCloudflareChat } from './cloudflare-quote';
import { COST_HEADER, eventStreamResponse, routeAnswer, streamIdleTimeoutMs } from './responses';

const TAGS = ['Inference'];
const AI_RETRY_AFTER_SECONDS = 5;

const CloudflareModelsSchema = z
  .object({
    provider: z.literal('cloudflare'),
    price: z.object({
      tier: z.literal('standard'),
      perCall: z
        .record(z.string(), z.string())
        .nullable()
        .openapi({ description: 'Atomic units per token; null while payments are misconfigured.' }),
      defaultMaxTokens: z.number().int(),
      maxTokens: z.number().int(),
    }),
    models: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        contextLength: z.number().int(),
        upstreamPricing: z
          .object({ prompt: z.string(), completion: z.string() })
          .openapi({ description: 'What Workers AI costs this service, USD per token.' }),
      }),
    ),
  })
  .openapi('CloudflareModels');

export const cloudflareModelsRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/inference/cloudflare/models',
    tags: TAGS,
    summary: 'Workers AI chat models',
    description:
      'The Workers AI chat models `POST /inference/cloudflare/chat` accepts, with their context length and what they cost upstream, and the standard price of one call. Free.',
    responses: { 200: { description: 'The models', content: json(CloudflareModelsSchema) } },
  }),
  pricing: FREE,
  handler: (c) => {
    const config = getServiceConfig(c.env);
    return c.json(
      {
        provider: 'cloudflare' as const,
        price: {
          tier: 'standard' as const,
          perCall: config.ok
            ? Object.fromEntries(
                TOKEN_TYPES.map((t) => [t, config.config.standardPrices[t].toString()]),
              )
            : null,
          defaultMaxTokens: CLOUDFLARE_DEFAULT_MAX_TOKENS,
          maxTokens: CLOUDFLARE_MAX_TOKENS,
        },
        models: Object.values(CLOUDFLARE_MODELS).map(({ id, name, contextLength, pricing }) => ({
          id,
          name,
          contextLength,
          upstreamPricing: pricing,
        })),
      },
      200,
    );
  },
});

/** Workers AI failed after settlement: 503 unavailable, 504 timed out, 502 unreadable; owed. */
function aiFailure(error: AiError): Response {
  const status = error.code === 'ai_timeout' ? 504 : error.code === 'ai_bad_response' ? 502 : 503;
  return jsonError(
    status,
    error.code,
    `The chat could not be completed: ${error.message} Retry in ${AI_RETRY_AFTER_SECONDS} s. The payment is recorded as owed to you.`,
    { 'retry-after': String(AI_RETRY_AFTER_SECONDS) },
  );
}

const completionId = () =>
  `chatcmpl-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;

export const cloudflareChatRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/inference/cloudflare/chat',
    tags: TAGS,
    summary: 'Chat with a Workers AI model',
    description: `An OpenAI-style chat completion on a Workers AI model of GET /inference/cloudflare/models (another id is a 400 \`invalid_model\`, never charged), \`max_tokens\` 1 to ${CLOUDFLARE_MAX_TOKENS} (default ${CLOUDFLARE_DEFAULT_MAX_TOKENS}, less when the prompt leaves less room). Standard price, provided the call cannot cost more: a request whose estimated prompt tokens and \`max_tokens\` at the model's prices could cost more than the standard price is a 400 \`request_exceeds_tier\` naming the largest prompt and \`max_tokens\` that fit, never charged. Settled first: the cost of the tokens used is recorded against the payment (\`GET /payment-status/{paymentId}\` shows \`usage\`) and answered in \`x-inference-cost-usd\`; if Workers AI fails the payment is recorded as owed to you. \`stream: true\` answers \`chat.completion.chunk\` server-sent events as they arrive.`,
    request: { body: { required: true, content: json(CloudflareChatRequestSchema) } },
    responses: {
      200: {
        description:
          'The completion (`application/json`), or with `stream: true` its `text/event-stream` chunks, a final usage chunk and `data: [DONE]`',
        content: json(ChatCompletionSchema),
      },
      ...errorResponses,
      400: {
        description:
          'Invalid request, `invalid_model`, `context_length_exceeded`, `request_exceeds_tier` (with `largestPromptTokens` and `largestMaxTokens`); never charged',
        content: json(ErrorSchema),
      },
      502: { description: '`ai_bad_response` (owed to you)', content: json(ErrorSchema) },
      503: {
        description:
          '`ai_unavailable` (owed to you); `service_misconfigured`, `inference_misconfigured` (never charged)',
        content: json(ErrorSchema),
      },
      504: { description: '`ai_timeout` (owed to you)', content: json(ErrorSchema) },
    },
  }),
  pricing: STANDARD_UPFRONT,
  quote: quoteCloudflareChat,
  handler: async (c) => {
    const request = c.req.valid('json');
    const served = c.get('served');
    if (!served) throw new Error('the chat handler ran without its payment');
    const model = request.model as CloudflareChatModel;
    // As quoted before the 402 (the same request and configuration give the same plan).
    const plan = planCloudflareChat(c.env, configOf(c.env), request);
    if (plan.type === 'refused') throw new Error('the chat handler ran with a refused request');
    const { maxTokens, promptTokens } = plan;
    const inference = getInferenceConfig(c.env);
    const token = parseTokenType(served.token);
    const call: PricedCall = {
      paymentId: served.paymentId,
      provider: 'cloudflare',
      model,
      streamed: request.stream === true,
      maxTokens,
      estimatedPromptTokens: promptTokens,
      quotedUsd:
        inference.ok && token
          ? formatDecimal(atomicToUsd(served.amount, token, inference.config))
          : null,
      token: served.token,
      amount: served.amount,
    };
    const costOf = (prompt: number, completion: number) =>
      cloudflareCost(model, prompt, completion);
    const withCost = (usage: ReportedUsage) =>
      usage.promptTokens === null || usage.completionTokens === null
        ? null
        : costOf(usage.promptTokens, usage.completionTokens);
    const record = (outcome: CallOutcome) => {
      const { statement, actualUsd } = usageStatement(c.env.DB, c.env, call, outcome, costOf);
      c.set('recordWithAnswer', [statement]);
      return actualUsd;
    };
    const chat = {
      model,
      messages: request.messages,
      max_tokens: maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
    const identity = { id: completionId(), model, created: Math.floor(Date.now() / 1000) };
    const ai = aiClientFor(c.env);
    try {
      if (request.stream) {
        const upstream = await ai.chat({ ...chat, stream: true });
        const db = c.env.DB;
        const relayed = relayEventStream(
          upstream,
          new WorkersAiRelay(identity, maxTokens, withCost),
          (end) => recordStreamEnd(db, c.env, call, end, costOf),
          { idleTimeoutMs: streamIdleTimeoutMs(c.env) },
        );
        untilStreamEnds(c, relayed.finished, 'recording a streamed chat');
        return routeAnswer(eventStreamResponse(relayed.body));
      }
      const completion = await ai.chat({ ...chat, stream: false });
      const usage: ReportedUsage = {
        promptTokens: completion.usage.prompt_tokens,
        completionTokens: completion.usage.completion_tokens,
        costUsd: null,
      };
      const actualUsd = record({ status: 'completed', usage });
      const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
      if (actualUsd !== null) headers.set(COST_HEADER, formatDecimal(actualUsd));
      const body = {
        id: identity.id,
        object: 'chat.completion',
        created: identity.created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: completion.response },
            finish_reason: finishReason(completion.usage.completion_tokens, maxTokens),
            logprobs: null,
          },
        ],
        usage: openAiUsage(usage, actualUsd),
      };
      return routeAnswer(new Response(JSON.stringify(body), { status: 200, headers }));
    } catch (error) {
      if (!(error instanceof AiError)) throw error;
      record({ status: 'failed', detail: error.message, usage: null });
      return routeAnswer(aiFailure(error));
    }
  },
});

export const cloudflareRoutes = [cloudflareModelsRoute, cloudflareChatRoute];
