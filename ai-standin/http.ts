/**
 * The stand-in's HTTP vocabulary: a request, a reply, and the Cloudflare API envelope every
 * Workers AI REST answer comes in (`{result, success, errors: [{code, message}], messages}`).
 */

export interface StandinRequest {
  method: string;
  url: URL;
  body: Uint8Array;
}

export interface JsonReply {
  status: number;
  json: unknown;
}

export type Reply =
  | JsonReply
  /** `text/event-stream`: each event is written as its own chunk, as a model streams tokens. */
  | { status: number; events: string[] }
  /** Leave the request unanswered (fault injection). */
  | { hang: true };

export interface CloudflareError {
  code: number;
  message: string;
}

/** A successful Workers AI REST answer. */
export function success(result: unknown): JsonReply {
  return { status: 200, json: { result, success: true, errors: [], messages: [] } };
}

/** A refused Workers AI REST answer, in the Cloudflare API's error envelope. */
export function failure(status: number, error: CloudflareError): JsonReply {
  return { status, json: { result: null, success: false, errors: [error], messages: [] } };
}

/** Workers AI's input validation error (5006), as its schema validator words it. */
export function badInput(detail: string): JsonReply {
  return failure(400, { code: 5006, message: `AiError: Bad input: Error: ${detail}` });
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function jsonBody(request: StandinRequest): unknown {
  try {
    // TextDecoder rather than Buffer, so the routes also run in workerd (test/worker's fake);
    // ignoreBOM keeps a BOM in the text as Buffer does (and JSON.parse refuses it).
    return JSON.parse(
      new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(request.body),
    );
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
