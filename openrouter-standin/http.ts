/**
 * The stand-in's HTTP vocabulary: a request, a reply, and OpenRouter's error body
 * (`{error: {code, message, metadata?}}`, the HTTP status equal to `code`). Nothing here needs
 * Node, so the routes can also answer inside workerd (a fake `fetch` in the Worker's tests).
 */
import type { HangReply, JsonReply } from '../standin-kit/http.ts';

export {
  isRecord,
  type JsonReply,
  jsonBody,
  type StandinRequest,
} from '../standin-kit/http.ts';

/**
 * `text/event-stream`: each frame is one complete SSE block (`data: …\n\n` or a `: comment\n\n`),
 * written on its own, a little apart from the next, as a model streams its tokens.
 */
export interface StreamReply {
  status: number;
  frames: string[];
  headers?: Record<string, string>;
  /** A `hold-stream` fault: after this many frames, wait to be released before the rest. */
  holdAfterFrames?: number;
}

export type Reply =
  | JsonReply
  | StreamReply
  /** Leave the request unanswered (fault injection). */
  | HangReply;

export interface OpenRouterError {
  code: number;
  message: string;
  metadata?: Record<string, unknown>;
}

/** OpenRouter's error answer: the HTTP status is the error's `code`. */
export function errorReply(
  status: number,
  message: string,
  options: { metadata?: Record<string, unknown>; headers?: Record<string, string> } = {},
): JsonReply {
  const error: OpenRouterError = { code: status, message };
  if (options.metadata) error.metadata = options.metadata;
  return { status, json: { error }, headers: options.headers };
}

/** One SSE data event. */
export function dataFrame(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** The keep-alive comment OpenRouter sends while a model has not answered yet. */
export const PROCESSING_COMMENT = ': OPENROUTER PROCESSING\n\n';
