/**
 * The stand-in's HTTP API: OpenRouter's `/api/v1/models`, `/api/v1/chat/completions` and
 * `/api/v1/generation`, `GET /health`, and fault injection under `/openrouter-standin/`.
 * Runtime-neutral (no Node APIs), like the Workers AI stand-in's routes.
 */
import { controlFaults } from '../standin-kit/faults.ts';
import type { RoutedReply as KitRoutedReply } from '../standin-kit/http.ts';
import { completeChat, type MidStreamError } from './chat-completions.ts';
import { readChatRequest } from './chat-request.ts';
import {
  DEFAULT_HOLD_FRAMES,
  DEFAULT_MID_STREAM_ERROR,
  defaultHttpErrorMessage,
  type Fault,
  type FaultPlan,
  parseFault,
} from './faults.ts';
import { type GenerationLog, generationReply, newGenerationId } from './generations.ts';
import type { HeldStreams } from './held-streams.ts';
import { errorReply, jsonBody, type Reply, type StandinRequest } from './http.ts';
import { MODELS, modelCatalogue, type StandinModel } from './models.ts';

export const API_PREFIX = '/api/v1';
export const FAULTS_PATH = '/openrouter-standin/faults';
/** `GET`: the streams a `hold-stream` fault holds now. */
export const HELD_PATH = '/openrouter-standin/held';
/** `POST`: lets every held stream send the rest. */
export const RELEASE_PATH = '/openrouter-standin/release';

/** Any key is accepted except these, which play a key out of credits and a revoked key. */
export const NO_CREDITS_KEY = 'sk-or-no-credits';
export const INVALID_KEY = 'sk-or-invalid';

export type RoutedReply = KitRoutedReply<Exclude<Reply, { hang: true }>>;

export interface RouteOptions {
  faults: FaultPlan;
  generations: GenerationLog;
  held: HeldStreams;
  /** The pause between stream frames (the server's), for generation timings. */
  chunkDelayMs: number;
  /** Unix milliseconds; Date.now by default. */
  now?: () => number;
}

export function createRoutes(options: RouteOptions): (request: StandinRequest) => RoutedReply {
  const now = options.now ?? Date.now;
  return (request) => {
    const { pathname } = request.url;
    const { method } = request;
    if (pathname === `${API_PREFIX}/models` && method === 'GET') {
      return { reply: { status: 200, json: modelCatalogue() } };
    }
    if (pathname === `${API_PREFIX}/chat/completions` && method === 'POST') {
      return chatCompletion(options, request, now);
    }
    if (pathname === `${API_PREFIX}/generation` && method === 'GET') {
      return { reply: authError(request) ?? generationReply(options.generations, request) };
    }
    if (pathname === '/health' && method === 'GET') {
      const models = MODELS.map((model) => model.catalogue.id);
      return { reply: { status: 200, json: { status: 'ok', models } } };
    }
    if (pathname === FAULTS_PATH) {
      const reply = controlFaults(options.faults, request, parseFault);
      if (reply) return { reply };
    }
    if (pathname === HELD_PATH && method === 'GET') {
      return { reply: { status: 200, json: { held: options.held.list() } } };
    }
    if (pathname === RELEASE_PATH && method === 'POST') {
      return { reply: { status: 200, json: { released: options.held.release() } } };
    }
    return { reply: errorReply(404, 'Not Found') };
  };
}

function chatCompletion(
  options: RouteOptions,
  request: StandinRequest,
  now: () => number,
): RoutedReply {
  const refused = authError(request);
  if (refused) return { reply: refused };
  const body = jsonBody(request);
  if (body === undefined) return { reply: errorReply(400, 'The request body is not valid JSON') };
  const read = readChatRequest(body);
  if (!read.ok) return { reply: read.reply };
  if (bearerKey(request) === NO_CREDITS_KEY) {
    return {
      reply: errorReply(
        402,
        'Insufficient credits. This account never purchased credits. Add more using ' +
          'https://openrouter.ai/settings/credits',
      ),
    };
  }

  const fault = options.faults.take(read.request.stream);
  if (
    fault &&
    fault.kind !== 'delay' &&
    fault.kind !== 'mid-stream-error' &&
    fault.kind !== 'hold-stream'
  ) {
    return { reply: faultReply(fault, read.request.model) };
  }
  let midStreamError: MidStreamError | undefined;
  if (fault?.kind === 'mid-stream-error') {
    midStreamError = {
      afterChunks: fault.afterChunks ?? DEFAULT_MID_STREAM_ERROR.afterChunks,
      code: fault.code ?? DEFAULT_MID_STREAM_ERROR.code,
      message: fault.message ?? DEFAULT_MID_STREAM_ERROR.message,
    };
  }
  const created = Math.floor(now() / 1000);
  const { reply, stats } = completeChat(read.request, {
    id: newGenerationId(created),
    created,
    chunkDelayMs: options.chunkDelayMs,
    midStreamError,
  });
  options.generations.record(stats);
  if (fault?.kind === 'hold-stream' && 'frames' in reply) {
    reply.holdAfterFrames = fault.frames ?? DEFAULT_HOLD_FRAMES;
  }
  return { reply, delayMs: fault?.kind === 'delay' ? fault.ms : undefined };
}

/** `Authorization: Bearer <key>`, trimmed; undefined when absent or empty. */
function bearerKey(request: StandinRequest): string | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? '');
  const key = match?.[1].trim();
  return key ? key : undefined;
}

/** OpenRouter's 401s: no key at all, or one it does not know (INVALID_KEY here). */
function authError(request: StandinRequest): Reply | undefined {
  const key = bearerKey(request);
  if (key === undefined) return errorReply(401, 'No auth credentials found');
  if (key === INVALID_KEY) return errorReply(401, 'User not found.');
  return undefined;
}

function faultReply(
  fault: Exclude<Fault, { kind: 'delay' | 'mid-stream-error' | 'hold-stream' }>,
  model: StandinModel,
): Reply {
  switch (fault.kind) {
    case 'hang':
      return { hang: true };
    case 'rate-limit': {
      const seconds = fault.retryAfterSeconds ?? 1;
      return errorReply(429, fault.message ?? 'Rate limit exceeded', {
        headers: { 'retry-after': String(seconds) },
      });
    }
    case 'http-error':
      return errorReply(fault.status, fault.message ?? defaultHttpErrorMessage(fault.status), {
        metadata:
          fault.status === 502 && fault.message === undefined
            ? { provider_name: model.provider, raw: 'upstream connection reset' }
            : undefined,
      });
  }
}
