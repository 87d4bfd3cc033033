/**
 * Workers AI failures, classified once. Callers switch on `code`; `message` is a sentence for a
 * person; `status` and `upstreamCode` keep what Workers AI said (HTTP status, and its internal
 * error code such as 3040 "out of capacity" or 5007 "no such model").
 */
export const AI_ERROR_CODES = {
  /** Not configured, not reachable, or it answered an error (any non-2xx, `success: false`). */
  ai_unavailable: 'Workers AI could not serve the request.',
  /** No answer within the client's timeout. */
  ai_timeout: 'Workers AI did not answer in time.',
  /** A 2xx answer that is not what the model returns (not JSON, wrong shape, wrong length). */
  ai_bad_response: 'Workers AI answered something this service cannot read.',
} as const;

export type AiErrorCode = keyof typeof AI_ERROR_CODES;

export interface AiErrorDetails {
  /** HTTP status of the REST answer, when there was one. */
  status?: number;
  /** Workers AI's own error code (`errors[0].code`, or the number leading a binding error). */
  upstreamCode?: number;
}

export class AiError extends Error {
  override readonly name = 'AiError';
  readonly code: AiErrorCode;
  readonly status?: number;
  readonly upstreamCode?: number;

  constructor(code: AiErrorCode, message: string, details: AiErrorDetails = {}) {
    super(message);
    this.code = code;
    this.status = details.status;
    this.upstreamCode = details.upstreamCode;
  }
}

/** `text` ending with exactly one full stop, for quoting an upstream message in a sentence. */
export function sentence(text: string): string {
  return `${text.trim().replace(/[.\s]+$/, '')}.`;
}

/**
 * Runs `call` with an abort signal that fires after `timeoutMs`; past that the call fails with
 * `ai_timeout` even if the callee ignores the signal. The timer stops once `call` settles (for a
 * stream: once its headers are in, not when it ends).
 */
export async function withTimeout<T>(
  timeoutMs: number,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let expire: (error: AiError) => void = () => {};
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  const timer = setTimeout(() => {
    const error = new AiError(
      'ai_timeout',
      `${what} did not answer within ${timeoutMs} ms; try again later.`,
    );
    controller.abort(error);
    expire(error);
  }, timeoutMs);
  const settled = call(controller.signal).catch((error: unknown) => {
    // The callee may reject with its own abort error first; the timeout is the real cause.
    throw controller.signal.aborted ? controller.signal.reason : error;
  });
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
