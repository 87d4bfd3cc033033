/** Small HTTP helpers of the paying client, on web APIs only (fetch, AbortSignal, timers). */

/** A response read once, with its body parsed. */
export interface ReadResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else its text. */
  body: unknown;
  /** The body as received. */
  text: string;
}

export function parseBody(headers: Headers, text: string): unknown {
  if (!/[/+]json\b/i.test(headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function readResponse(response: Response): Promise<ReadResponse> {
  const text = await response.text();
  const { status, headers } = response;
  return { status, headers, body: parseBody(headers, text), text };
}

/** The `code` of a JSON error body (`{code, message}`), if it has one. */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('code' in body)) return undefined;
  return typeof body.code === 'string' ? body.code : undefined;
}

/** Retrying needs the body twice, so a one-shot stream is read into bytes first. */
export async function replayableBody(body: RequestInit['body']): Promise<RequestInit['body']> {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    return new Uint8Array(await new Response(body).arrayBuffer());
  }
  return body;
}

/** `signal`, also aborted after `ms` (when given). */
export function withTimeout(
  signal: AbortSignal | null | undefined,
  ms: number | undefined,
): AbortSignal | undefined {
  if (ms === undefined) return signal ?? undefined;
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
