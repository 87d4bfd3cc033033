/**
 * The stand-in's HTTP vocabulary: a request, a reply, and the Cloudflare API envelope every
 * Workers AI REST answer comes in (`{result, success, errors: [{code, message}], messages}`).
 */
import type { HangReply, JsonReply, StandinRequest as KitRequest } from '../standin-kit/http.ts';

export { isRecord, type JsonReply, jsonBody } from '../standin-kit/http.ts';

/** The routes read no headers (the Worker tests' fake passes none). */
export type StandinRequest = Omit<KitRequest, 'headers'>;

export type Reply =
  | JsonReply
  /** `text/event-stream`: each event is written as its own chunk, as a model streams tokens. */
  | { status: number; events: string[] }
  /** Leave the request unanswered (fault injection). */
  | HangReply;

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
