/**
 * x402 v2 HTTP transport: headers carry standard-alphabet base64 of UTF-8 JSON. Encoding the UTF-8
 * bytes first matters: `btoa(JSON.stringify(x))` throws on any character above U+00FF.
 * Runs unchanged in workerd, Node and browsers (TextEncoder, atob and btoa are globals in each).
 */

export function encodeBase64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type DecodeResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Decodes a base64 JSON header. Never throws: malformed input is a reason, not an exception. */
export function decodeBase64Json(header: string): DecodeResult {
  const text = header.trim();
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) {
    return { ok: false, reason: 'the header is not standard base64' };
  }
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return { ok: false, reason: 'the header is not standard base64' };
  }
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, reason: 'the decoded header is not UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch {
    return { ok: false, reason: 'the decoded header is not JSON' };
  }
}
