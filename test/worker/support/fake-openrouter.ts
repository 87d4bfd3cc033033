/**
 * OpenRouter answering inside workerd: stubs the global `fetch` for `OPENROUTER_API_URL`
 * (wrangler.toml: http://127.0.0.1:4020/api/v1) with OpenRouter's own shapes, and passes every
 * other URL to the real fetch (so the Workers AI fake can sit beside it).
 *
 * - `GET /models`: `{data, total_count, links}`, the entries with OpenRouter's fields (prices as
 *   USD-per-token strings), paged with `links.next` when `pageSize` is set;
 * - `POST /chat/completions`: a `chat.completion` with `usage.cost`, or with `stream: true` the
 *   event stream: two `: OPENROUTER PROCESSING` comments, a chunk per word, a finish chunk, a
 *   usage chunk with empty `choices`, `data: [DONE]`;
 * - scripted faults for the next chat: 429 with `retry-after`, a 5xx, an error mid-stream (HTTP
 *   200, then a chunk with `error` and `finish_reason: "error"`), or a stream held after some
 *   frames until the test releases it.
 *
 * The reply is the first `max_tokens` words of a fixed sentence (one word, one completion token;
 * never more than `max_tokens`), and a prompt counts ⌈characters / 4⌉ tokens per message (the
 * local stand-in's count for ASCII text; it counts emoji and CJK higher). `cost` is computed exactly in decimal and sent as a JSON number.
 */
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';
import {
  add,
  formatDecimal,
  fromInteger,
  multiply,
  parseDecimal,
} from '../../../src/inference/decimal';

export const REPLY_WORDS =
  'Stacks settles every paid call on chain while the model writes its answer one word at a time'.split(
    ' ',
  );

export const GENERATION_ID = 'gen-1767225600-AbCdEfGhIjKlMnOpQrSt';

export interface FakeModel {
  id: string;
  name: string;
  context_length: number;
  pricing: { prompt: string; completion: string };
  max_completion_tokens: number | null;
  supported_parameters?: string[];
}

export const FAKE_MODELS: FakeModel[] = [
  {
    id: 'openai/gpt-4o-mini',
    name: 'OpenAI: GPT-4o-mini',
    context_length: 128000,
    pricing: { prompt: '0.00000015', completion: '0.0000006' },
    max_completion_tokens: 16384,
    supported_parameters: ['max_tokens', 'temperature', 'tools', 'tool_choice', 'response_format'],
  },
  {
    id: 'openai/gpt-4o',
    name: 'OpenAI: GPT-4o',
    context_length: 128000,
    pricing: { prompt: '0.0000025', completion: '0.00001' },
    max_completion_tokens: 16384,
    supported_parameters: ['max_tokens', 'temperature', 'tools', 'response_format'],
  },
  {
    id: 'anthropic/claude-3.5-haiku',
    name: 'Anthropic: Claude 3.5 Haiku',
    context_length: 200000,
    pricing: { prompt: '0.0000008', completion: '0.000004' },
    max_completion_tokens: 8192,
    supported_parameters: ['max_tokens', 'stop', 'temperature', 'tools', 'tool_choice'],
  },
  {
    id: 'mistralai/mistral-small',
    name: 'Mistral Small',
    context_length: 32768,
    pricing: { prompt: '0.0000002', completion: '0.0000006' },
    max_completion_tokens: null,
  },
  {
    id: 'meta-llama/llama-3.2-3b-instruct:free',
    name: 'Meta: Llama 3.2 3B Instruct (free)',
    context_length: 20000,
    pricing: { prompt: '0', completion: '0' },
    max_completion_tokens: 4096,
  },
  {
    // A router: its price depends on the model it picks, so it cannot be quoted.
    id: 'openrouter/auto',
    name: 'Auto Router',
    context_length: 2000000,
    pricing: { prompt: '-1', completion: '-1' },
    max_completion_tokens: null,
  },
];

/** One entry of `GET /api/v1/models`, with OpenRouter's fields. */
function catalogueEntry(model: FakeModel) {
  return {
    id: model.id,
    canonical_slug: model.id,
    hugging_face_id: null,
    name: model.name,
    created: 1721260800,
    description: `${model.name}, as listed by the fake.`,
    context_length: model.context_length,
    architecture: {
      modality: 'text->text',
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'Other',
      instruct_type: null,
    },
    pricing: {
      ...model.pricing,
      request: '0',
      image: '0',
      web_search: '0',
      internal_reasoning: '0',
    },
    top_provider: {
      context_length: model.context_length,
      max_completion_tokens: model.max_completion_tokens,
      is_moderated: false,
    },
    per_request_limits: null,
    supported_parameters: model.supported_parameters ?? ['max_tokens', 'temperature'],
  };
}

export type ChatFault =
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'http-error'; status: number; message?: string }
  | { kind: 'mid-stream-error'; afterChunks: number }
  /** The stream stops (no finish, usage or [DONE]) after some word chunks, with no error. */
  | { kind: 'truncated-stream'; afterChunks: number }
  /** The stream sends `frames` frames, then waits for `release()` before the rest. */
  | { kind: 'hold-stream'; frames: number };

export interface FakeOpenRouter {
  models: FakeModel[];
  /** Page size of the catalogue (`links.next`); all at once when unset. */
  pageSize?: number;
  /** Each chat request body, parsed, in order. */
  readonly chats: Record<string, unknown>[];
  /** How many catalogue pages were asked for. */
  readonly listings: { count: number };
  /** The `authorization` header of each chat request. */
  readonly authorizations: (string | null)[];
  /** Frames of the current stream written so far, and how many it has. */
  readonly stream: { sent: number; total: number };
  /** Arms a fault for the next chat. */
  fail(fault: ChatFault): void;
  /** Lets a held stream send the rest. */
  release(): void;
  restore(): void;
}

export function fakeOpenRouter(baseUrl: string = env.OPENROUTER_API_URL): FakeOpenRouter {
  const prefix = baseUrl.replace(/\/+$/, '');
  const realFetch = globalThis.fetch;
  const faults: ChatFault[] = [];
  let releaseHeld: () => void = () => {};
  const fake: FakeOpenRouter = {
    models: FAKE_MODELS.map((model) => ({ ...model })),
    chats: [],
    listings: { count: 0 },
    authorizations: [],
    stream: { sent: 0, total: 0 },
    fail: (fault) => faults.push(fault),
    release: () => releaseHeld(),
    restore: () => spy.mockRestore(),
  };

  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${prefix}/`)) return realFetch(input, init);
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(prefix).pathname.length);
    if (request.method === 'GET' && path === '/models') return listModels(fake, url);
    if (request.method === 'POST' && path === '/chat/completions') {
      const body = (await request.json()) as Record<string, unknown>;
      fake.chats.push(body);
      fake.authorizations.push(request.headers.get('authorization'));
      const fault = faults.shift();
      const held = new Promise<void>((resolve) => {
        releaseHeld = resolve;
      });
      return chat(fake, body, fault, held);
    }
    return errorResponse(404, 'Not Found');
  });
  return fake;
}

function listModels(fake: FakeOpenRouter, url: URL): Response {
  fake.listings.count += 1;
  const all = fake.models.map(catalogueEntry);
  const offset = Number(url.searchParams.get('offset') ?? '0');
  const size = fake.pageSize ?? all.length;
  const data = all.slice(offset, offset + size);
  const more = offset + size < all.length;
  return Response.json({
    data,
    total_count: all.length,
    links: { next: more ? `/api/v1/models?offset=${offset + size}&limit=${size}` : null },
  });
}

function errorResponse(status: number, message: string, headers: Record<string, string> = {}) {
  return Response.json({ error: { code: status, message } }, { status, headers });
}

/** ⌈characters / 4⌉ per message, as the stand-in counts. */
export function fakePromptTokens(messages: { content: string }[]): number {
  return messages.reduce((sum, m) => sum + Math.ceil([...m.content].length / 4), 0);
}

/** The cost the fake reports: exact decimal arithmetic, then the nearest JSON number. */
export function fakeCost(model: FakeModel, prompt: number, completion: number): number {
  const p = parseDecimal(model.pricing.prompt);
  const c = parseDecimal(model.pricing.completion);
  if (!p || !c) throw new Error(`no price for ${model.id}`);
  return Number(
    formatDecimal(add(multiply(fromInteger(prompt), p), multiply(fromInteger(completion), c))),
  );
}

function chat(
  fake: FakeOpenRouter,
  body: Record<string, unknown>,
  fault: ChatFault | undefined,
  held: Promise<void>,
): Response {
  if (fault?.kind === 'rate-limit') {
    return errorResponse(429, 'Rate limit exceeded', {
      'retry-after': String(fault.retryAfterSeconds),
    });
  }
  if (fault?.kind === 'http-error') {
    return errorResponse(fault.status, fault.message ?? 'Provider returned error');
  }
  const model = fake.models.find((m) => m.id === body.model);
  if (!model) return errorResponse(400, `${String(body.model)} is not a valid model ID`);
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : REPLY_WORDS.length;
  const words = REPLY_WORDS.slice(0, maxTokens);
  const finishReason = words.length < REPLY_WORDS.length ? 'length' : 'stop';
  const promptTokens = fakePromptTokens(body.messages as { content: string }[]);
  const head = {
    id: GENERATION_ID,
    provider: 'FakeProvider',
    model: model.id,
    created: 1767225600,
  };
  const usage = (completion: number) => ({
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    cost: fakeCost(model, promptTokens, completion),
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
    cost_details: { upstream_inference_cost: null },
  });
  if (body.stream !== true) {
    return Response.json({
      ...head,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: finishReason,
          native_finish_reason: finishReason,
          message: { role: 'assistant', content: words.join(' '), refusal: null },
        },
      ],
      usage: usage(words.length),
    });
  }

  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, ...extra })}\n\n`;
  const delta = (content: string, finish: string | null) => ({
    index: 0,
    delta: { role: 'assistant', content },
    finish_reason: finish,
    native_finish_reason: finish,
    logprobs: null,
  });
  const cut =
    fault?.kind === 'mid-stream-error' || fault?.kind === 'truncated-stream'
      ? fault.afterChunks
      : words.length;
  const sent = words.slice(0, cut);
  const frames = [
    ': OPENROUTER PROCESSING\n\n',
    ': OPENROUTER PROCESSING\n\n',
    ...sent.map((word, i) => chunk([delta(i === 0 ? word : ` ${word}`, null)])),
  ];
  if (fault?.kind === 'mid-stream-error') {
    frames.push(
      `data: ${JSON.stringify({
        id: head.id,
        object: 'chat.completion.chunk',
        created: head.created,
        model: head.model,
        provider: head.provider,
        error: { code: 502, message: 'Provider disconnected unexpectedly' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      })}\n\n`,
    );
  } else if (fault?.kind !== 'truncated-stream') {
    frames.push(
      chunk([delta('', finishReason)]),
      chunk([], { usage: usage(sent.length) }),
      'data: [DONE]\n\n',
    );
  }
  const holdAt = fault?.kind === 'hold-stream' ? fault.frames : Number.POSITIVE_INFINITY;
  fake.stream.sent = 0;
  fake.stream.total = frames.length;
  const encoder = new TextEncoder();
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === holdAt) await held;
      const frame = frames[next];
      if (frame === undefined) {
        controller.close();
        return;
      }
      next += 1;
      fake.stream.sent = next;
      controller.enqueue(encoder.encode(frame));
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
}
