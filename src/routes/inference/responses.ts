/**
 * Answers the inference routes share: refusals before any 402 (in the shape of the app's
 * validation errors, so clients read one shape), upstream failures, and the cost header.
 */
import { sentence } from '../../ai/errors';
import {
  DEFAULT_STREAM_IDLE_SECONDS,
  getInferenceConfig,
  type InferenceVars,
} from '../../inference/config';
import type { UpstreamFailure } from '../../inference/openrouter-client';
import { jsonError } from '../../payment/http-responses';

/** The actual upstream cost of a JSON answer, in USD (exact decimal text). */
export const COST_HEADER = 'x-inference-cost-usd';

const NOTHING_CHARGED = 'The request is invalid (nothing was charged)';

/** A free 400, before the 402: `{code, message, ...details}`. */
export function invalidRequest(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): Response {
  return new Response(
    JSON.stringify({ code, message: `${NOTHING_CHARGED}: ${message}.`, ...details }),
    {
      status: 400,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    },
  );
}

/** Nothing can be priced or run right now (before the 402: never charged). */
export function unavailableBeforePayment(code: string, message: string, retryAfterSeconds = 60) {
  return jsonError(503, code, `${message}; nothing was charged.`, {
    'retry-after': String(retryAfterSeconds),
  });
}

/**
 * An upstream failure. After settlement (`charged`) the payment is recorded as owed by the
 * upfront order (any answer >= 400), and the sentence says so.
 */
export function upstreamFailureResponse(failure: UpstreamFailure, charged: boolean): Response {
  const retry = failure.retryAfterSeconds;
  const advice = retry === undefined ? '' : ` Retry in ${retry} s.`;
  const money = charged ? ' The payment is recorded as owed to you.' : ' Nothing was charged.';
  return jsonError(
    failure.status,
    failure.code,
    `${sentence(capitalise(failure.detail))}${advice}${money}`,
    retry === undefined ? {} : { 'retry-after': String(retry) },
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A hand-built Response given where a typed route answer is expected: @hono/zod-openapi types
 * `c.json` answers only, and these routes also relay event streams and pass upstream JSON through
 * exactly as it was sent.
 */
export const routeAnswer = (response: Response): never => response as never;

/** An event stream relayed as it arrives. */
export function eventStreamResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

/**
 * How long a relayed stream may wait for upstream bytes (INFERENCE_STREAM_IDLE_SECONDS). Inside a
 * handler the route has already refused a broken inference configuration; the default only keeps
 * a stream from ever waiting without bound.
 */
export function streamIdleTimeoutMs(env: InferenceVars): number {
  const inference = getInferenceConfig(env);
  return inference.ok ? inference.config.streamIdleTimeoutMs : DEFAULT_STREAM_IDLE_SECONDS * 1000;
}
