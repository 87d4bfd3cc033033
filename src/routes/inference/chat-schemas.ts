/**
 * The OpenAI-style chat requests of `/inference/openrouter/chat` and `/inference/cloudflare/chat`,
 * checked before any 402. Requests are strict: a field we do not pass on is refused rather than
 * silently dropped, and the fields that could buy more than was priced (`n` > 1, fallback
 * `models`, provider routing) are not accepted.
 */
import { z } from '@hono/zod-openapi';
import { CHAT_MODELS } from '../../ai/models';
import {
  CLOUDFLARE_DEFAULT_MAX_TOKENS,
  CLOUDFLARE_MAX_TOKENS,
  CLOUDFLARE_MODELS,
  isCloudflareChatModel,
} from '../../inference/cloudflare-models';
import { estimatePromptTokens } from '../../inference/prompt-tokens';

const MAX_MESSAGES = 1000;

const TextPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });

const ToolCallSchema = z.object({
  id: z.string().max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().max(256), arguments: z.string() }),
});

export const ChatMessageSchema = z
  .strictObject({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z
      .union([z.string(), z.array(TextPartSchema).min(1)])
      .nullable()
      .optional()
      .openapi({ description: 'Text, or `[{type: "text", text}]` parts (text only).' }),
    name: z.string().max(64).optional(),
    tool_calls: z.array(ToolCallSchema).max(128).optional(),
    tool_call_id: z.string().max(256).optional(),
  })
  .openapi('ChatMessage');

const ToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().max(64),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().optional(),
  }),
});

const ResponseFormatSchema = z.union([
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().optional(),
    }),
  }),
]);

export const OpenRouterChatRequestSchema = z
  .strictObject({
    model: z.string().min(1).max(200).openapi({
      description: 'An id from GET /inference/openrouter/models.',
      example: 'openai/gpt-4o-mini',
    }),
    messages: z.array(ChatMessageSchema).min(1).max(MAX_MESSAGES),
    max_tokens: z.number().int().min(1).optional().openapi({
      description:
        'Completion tokens at most: priced, and sent upstream as is. Default INFERENCE_DEFAULT_MAX_TOKENS; never above the model’s `maxCompletionTokens`.',
    }),
    max_completion_tokens: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'The same as `max_tokens` (OpenAI’s newer name).' }),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    min_p: z.number().min(0).max(1).optional(),
    top_a: z.number().min(0).max(1).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    repetition_penalty: z.number().min(0).max(2).optional(),
    seed: z.number().int().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
    tools: z.array(ToolSchema).max(128).optional(),
    tool_choice: z
      .union([
        z.enum(['none', 'auto', 'required']),
        z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: ResponseFormatSchema.optional(),
    logit_bias: z.record(z.string(), z.number()).optional(),
    logprobs: z.boolean().optional(),
    top_logprobs: z.number().int().min(0).max(20).optional(),
    user: z.string().max(256).optional(),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).optional().openapi({
      description: 'Accepted for OpenAI clients; the final usage chunk is always sent.',
    }),
    n: z.literal(1).optional().openapi({ description: 'One choice per call.' }),
  })
  .superRefine((request, ctx) => {
    const { max_tokens, max_completion_tokens } = request;
    if (
      max_tokens !== undefined &&
      max_completion_tokens !== undefined &&
      max_tokens !== max_completion_tokens
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_completion_tokens'],
        message:
          'max_completion_tokens and max_tokens name the same limit; send one, or equal values',
      });
    }
  })
  .openapi('OpenRouterChatRequest', {
    example: {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
      max_tokens: 200,
    },
  });

export type OpenRouterChatRequest = z.infer<typeof OpenRouterChatRequestSchema>;

/** The completion limit the caller asked for, under either name. */
export const requestedMaxTokens = (request: OpenRouterChatRequest) =>
  request.max_tokens ?? request.max_completion_tokens;

export const CloudflareChatRequestSchema = z
  .strictObject({
    model: z
      .string()
      .superRefine((model, ctx) => {
        if (!isCloudflareChatModel(model)) {
          ctx.addIssue({
            code: 'custom',
            message: `${JSON.stringify(model)} is not a Workers AI chat model sold here; use one of ${CHAT_MODELS.join(', ')} (GET /inference/cloudflare/models)`,
            params: { code: 'invalid_model' },
          });
        }
      })
      .openapi({ example: '@cf/meta/llama-3.1-8b-instruct' }),
    messages: z
      .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
      .min(1)
      .max(200),
    max_tokens: z
      .number()
      .int()
      .min(1)
      .max(CLOUDFLARE_MAX_TOKENS)
      .optional()
      .openapi({
        description: `Completion tokens at most, 1 to ${CLOUDFLARE_MAX_TOKENS} (default ${CLOUDFLARE_DEFAULT_MAX_TOKENS}).`,
      }),
    temperature: z.number().min(0).max(5).optional(),
    stream: z.boolean().optional(),
  })
  .superRefine((request, ctx) => {
    if (!isCloudflareChatModel(request.model)) return;
    const { contextLength } = CLOUDFLARE_MODELS[request.model];
    const promptTokens = estimatePromptTokens(request);
    const maxTokens = request.max_tokens ?? CLOUDFLARE_DEFAULT_MAX_TOKENS;
    if (promptTokens + maxTokens > contextLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages'],
        message: `about ${promptTokens} prompt tokens and max_tokens ${maxTokens} do not fit ${request.model}'s context of ${contextLength} tokens; send less text or a smaller max_tokens`,
        params: { code: 'context_length_exceeded' },
      });
    }
  })
  .openapi('CloudflareChatRequest', {
    example: {
      model: '@cf/meta/llama-3.1-8b-instruct',
      messages: [{ role: 'user', content: 'What is x402?' }],
      max_tokens: 200,
    },
  });

export type CloudflareChatRequest = z.infer<typeof CloudflareChatRequestSchema>;

/** OpenAI's `chat.completion` (the shape both chat routes answer in JSON). */
export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int(),
          message: z
            .object({ role: z.literal('assistant'), content: z.string().nullable() })
            .passthrough(),
          finish_reason: z.string().nullable(),
        })
        .passthrough(),
    ),
    usage: z
      .object({
        prompt_tokens: z.number().int(),
        completion_tokens: z.number().int(),
        total_tokens: z.number().int(),
        cost: z.number().optional().openapi({ description: 'USD, as the upstream reported it.' }),
      })
      .passthrough(),
  })
  .passthrough()
  .openapi('ChatCompletion');
