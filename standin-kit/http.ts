/**
 * What the local stand-ins (ai-standin/, openrouter-standin/) share about requests and replies.
 * Nothing here needs Node, so their routes also answer inside workerd (the Worker tests' fakes).
 */

export interface StandinRequest {
  method: string;
  url: URL;
  /** Request headers, names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array;
}

export interface JsonReply {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

/** Leave the request unanswered (a `hang` fault). */
export interface HangReply {
  hang: true;
}

export interface RoutedReply<Reply> {
  reply: Reply | HangReply;
  /** Milliseconds to wait before answering (a `delay` fault). */
  delayMs?: number;
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function jsonBody(request: { body: Uint8Array }): unknown {
  try {
    // TextDecoder rather than Buffer, so the routes also run in workerd; ignoreBOM keeps a BOM in
    // the text as Buffer does (and JSON.parse refuses it).
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
