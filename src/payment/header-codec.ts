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

/**
 * Bounds on a decoded header. Headers are sized by whoever sends them, and what is decoded here is
 * walked later (the requirement matching canonicalises `accepted` recursively): without bounds,
 * 11 KB of nested arrays overflow the stack and the request answers 500 instead of 402.
 */
export interface HeaderLimits {
  /** Most characters of base64 decoded. */
  maxLength: number;
  /** Most levels of nested arrays and objects in the decoded JSON (the top level counts as 1). */
  maxDepth: number;
}

/**
 * Default bounds, sized for an x402 payment header (`payment-signature`). The challenge and receipt
 * headers this service sends (`payment-required`, `payment-response`) are a few KiB at most, so the
 * client decodes them within the same bounds.
 * - 16 KiB of base64 is 12 KiB of JSON. The bulk of a PaymentPayload is the signed transaction in
 *   hex, and the gate refuses transactions over MAX_TRANSACTION_BYTES (4,096 bytes: 8,192 hex
 *   characters, src/config.ts); `accepted`, `resource` and a payment-identifier add under 1 KiB.
 *   So every payment the gate could accept fits, with some 3 KiB to spare, and nothing larger is
 *   worth decoding. The test "decodes the largest payment the gate accepts" keeps them in step.
 * - 32 levels: a PaymentPayload nests 4 deep (`extensions["payment-identifier"].info`); a
 *   PaymentRequired or SettlementResponse no deeper.
 */
export const HEADER_LIMITS: HeaderLimits = { maxLength: 16 * 1024, maxDepth: 32 };

export type DecodeResult = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Decodes a base64 JSON header, within `limits`. Never throws: malformed or oversized input is a
 * reason, not an exception.
 */
export function decodeBase64Json(
  header: string,
  limits: HeaderLimits = HEADER_LIMITS,
): DecodeResult {
  const text = header.trim();
  if (text.length > limits.maxLength) {
    return {
      ok: false,
      reason: `the header is ${text.length} characters long, over the limit of ${limits.maxLength}`,
    };
  }
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
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'the decoded header is not JSON' };
  }
  if (nestsDeeperThan(value, limits.maxDepth)) {
    return {
      ok: false,
      reason: `the decoded header nests arrays and objects more than ${limits.maxDepth} levels deep`,
    };
  }
  return { ok: true, value };
}

/** True when arrays and objects nest more than `maxDepth` levels. Iterative: no stack to overflow. */
function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > maxDepth) return true;
    for (const child of Object.values(next.value))
      pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}
