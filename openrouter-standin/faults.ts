/**
 * Fault injection: OpenRouter's unhappy paths on demand, so callers' error handling can be tested
 * against them. Armed with `POST /openrouter-standin/faults` (JSON body: a `Fault`) or
 * `standin.faults.arm(fault)`; `DELETE /openrouter-standin/faults` disarms everything. Faults
 * apply to chat completions only, and only to requests that would otherwise be answered (signed
 * in, valid, with credits), in the order armed, each for `times` requests (default 1). A
 * `mid-stream-error` or `hold-stream` waits for a streamed request; the others take the next
 * request.
 */
import { FaultQueue, faultFields, isCount } from '../standin-kit/faults.ts';

export type Fault =
  /** 429 with `retry-after` (seconds, default 1). */
  | { kind: 'rate-limit'; retryAfterSeconds?: number; message?: string; times?: number }
  /**
   * A 5xx in OpenRouter's error body. Without `message`: 502 is `Provider returned error` (with
   * `metadata: {provider_name, raw}`), 503 `No allowed providers are available for the selected
   * model.`, any other `Internal Server Error`.
   */
  | { kind: 'http-error'; status: number; message?: string; times?: number }
  /** Never answered (the connection stays open until the client gives up or the stand-in closes). */
  | { kind: 'hang'; times?: number }
  /** Answered normally, `ms` late (before the status line). */
  | { kind: 'delay'; ms: number; times?: number }
  /**
   * A streamed answer (HTTP 200) that breaks after `afterChunks` content chunks (default 1) with
   * OpenRouter's mid-stream error event, `error: {code, message}` (default 502, `Provider
   * disconnected unexpectedly`), and ends without [DONE].
   */
  | {
      kind: 'mid-stream-error';
      afterChunks?: number;
      code?: number | string;
      message?: string;
      times?: number;
    }
  /**
   * A streamed answer (HTTP 200) that stops after its first `frames` frames (default 3: the two
   * comments and the first word) and sends the rest only once released (`POST
   * /openrouter-standin/release`, `standin.held.release()`), so a test can see what reached a
   * relaying client while the stand-in had not yet produced the end.
   */
  | { kind: 'hold-stream'; frames?: number; times?: number };

/** Faults only a streamed request takes (a JSON request passes them by). */
const STREAM_ONLY: ReadonlySet<Fault['kind']> = new Set(['mid-stream-error', 'hold-stream']);

export class FaultPlan extends FaultQueue<Fault> {
  /** Uses up one request of the first armed fault that applies to a (streamed or not) request. */
  take(streamed: boolean): Fault | undefined {
    return this.takeFirst((fault) => streamed || !STREAM_ONLY.has(fault.kind));
  }
}

/** The message of an `http-error` fault that does not name one. */
export function defaultHttpErrorMessage(status: number): string {
  if (status === 502) return 'Provider returned error';
  if (status === 503) return 'No allowed providers are available for the selected model.';
  return 'Internal Server Error';
}

/** Frames a `hold-stream` fault lets through: the two keep-alive comments and the first word. */
export const DEFAULT_HOLD_FRAMES = 3;

export const DEFAULT_MID_STREAM_ERROR = {
  afterChunks: 1,
  code: 502,
  message: 'Provider disconnected unexpectedly',
} as const;

/** Checks an untrusted body (of `POST /openrouter-standin/faults`); returns the fault or an error. */
export function parseFault(body: unknown): Fault | string {
  const fault = faultFields(body);
  if (typeof fault === 'string') return fault;
  if (fault.message !== undefined && typeof fault.message !== 'string') {
    return '"message" must be a string';
  }
  switch (fault.kind) {
    case 'rate-limit':
      return fault.retryAfterSeconds === undefined || isCount(fault.retryAfterSeconds, 0)
        ? (fault as Fault)
        : '"retryAfterSeconds" must be a whole number >= 0';
    case 'http-error':
      return isCount(fault.status, 500) && (fault.status as number) <= 599
        ? (fault as Fault)
        : '"http-error" needs a "status" between 500 and 599 (use "rate-limit" for 429)';
    case 'hang':
      return fault as Fault;
    case 'delay':
      return isCount(fault.ms, 0) ? (fault as Fault) : '"delay" needs "ms" (whole milliseconds)';
    case 'mid-stream-error':
      if (fault.afterChunks !== undefined && !isCount(fault.afterChunks, 0)) {
        return '"afterChunks" must be a whole number >= 0';
      }
      if (fault.code !== undefined && typeof fault.code !== 'string' && !isCount(fault.code, 100)) {
        return '"code" must be an HTTP status number or a string such as "server_error"';
      }
      return fault as Fault;
    case 'hold-stream':
      return fault.frames === undefined || isCount(fault.frames, 0)
        ? (fault as Fault)
        : '"frames" must be a whole number >= 0';
    default:
      return `unknown fault kind ${JSON.stringify(fault.kind)}; expected "rate-limit", "http-error", "hang", "delay", "mid-stream-error" or "hold-stream"`;
  }
}
