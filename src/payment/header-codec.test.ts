import { describe, expect, it } from 'vitest';
import { MAX_TRANSACTION_BYTES } from '../config';
import { decodeBase64Json, encodeBase64Json, HEADER_LIMITS } from './header-codec';

/** `depth` levels of arrays (`[[...]]`) or objects (`{"a":{"a":...}}`), built without recursion. */
function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = kind === 'array' ? [] : {};
  for (let i = 1; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

describe('the x402 header codec', () => {
  it('round-trips non-ASCII text that plain btoa(JSON.stringify(x)) cannot encode', () => {
    const value = { description: 'Prix: 1 µSTX — 日本語 ✓ 🚀', nested: { emoji: '👍🏽' } };
    expect(() => btoa(JSON.stringify(value))).toThrow();
    const header = encodeBase64Json(value);
    expect(header).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeBase64Json(header)).toEqual({ ok: true, value });
    // Standard base64 of the UTF-8 bytes, as any other x402 implementation would produce.
    expect(atob(header)).toBe(
      String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))),
    );
  });

  it('encodes large values (no call-stack limit on String.fromCharCode)', () => {
    const value = { data: 'é'.repeat(200_000) };
    const limits = { ...HEADER_LIMITS, maxLength: 1_000_000 };
    expect(decodeBase64Json(encodeBase64Json(value), limits)).toEqual({ ok: true, value });
  });

  it('explains what is wrong with a malformed header instead of throwing', () => {
    expect(decodeBase64Json('')).toEqual({
      ok: false,
      reason: 'the header is not standard base64',
    });
    expect(decodeBase64Json('abc')).toEqual({
      ok: false,
      reason: 'the header is not standard base64',
    });
    expect(decodeBase64Json('ab-_')).toEqual({
      ok: false,
      reason: 'the header is not standard base64',
    });
    expect(decodeBase64Json(btoa('\xff\xfe'))).toEqual({
      ok: false,
      reason: 'the decoded header is not UTF-8',
    });
    expect(decodeBase64Json(btoa('{"a":'))).toEqual({
      ok: false,
      reason: 'the decoded header is not JSON',
    });
  });

  it('refuses a header over 16 KiB of base64, and decodes one of exactly 16 KiB', () => {
    expect(HEADER_LIMITS).toEqual({ maxLength: 16_384, maxDepth: 32 });
    // 12,288 bytes of JSON are exactly 16,384 characters of base64.
    const largest = JSON.stringify('a'.repeat(12_286));
    expect(encodeBase64Json(JSON.parse(largest))).toHaveLength(16_384);
    expect(decodeBase64Json(encodeBase64Json(JSON.parse(largest)))).toEqual({
      ok: true,
      value: 'a'.repeat(12_286),
    });
    expect(decodeBase64Json(encodeBase64Json('a'.repeat(12_287)))).toEqual({
      ok: false,
      reason: 'the header is 16388 characters long, over the limit of 16384',
    });
    // Length is checked before anything else: a long header is refused without being decoded.
    expect(decodeBase64Json('!'.repeat(20_000))).toEqual({
      ok: false,
      reason: 'the header is 20000 characters long, over the limit of 16384',
    });
  });

  it('decodes the largest payment the gate accepts (a transaction of MAX_TRANSACTION_BYTES)', () => {
    const id = 'x'.repeat(128);
    const payment = {
      x402Version: 2,
      resource: {
        url: `https://api.example.com/hashing/sha256?${'q'.repeat(1024)}`,
        description: 'SHA-256 hash',
        mimeType: 'application/json',
      },
      accepted: {
        scheme: 'exact',
        network: 'stacks:2147483648',
        amount: '1000000000000000000000000000000',
        asset: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx',
        payTo: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
        maxTimeoutSeconds: 300,
        extra: {
          tokenType: 'USDCx',
          tokenContract: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx',
          decimals: 6,
          pricingTier: 'standard',
        },
      },
      payload: { transaction: 'ab'.repeat(MAX_TRANSACTION_BYTES) },
      extensions: { 'payment-identifier': { info: { id } } },
    };
    const header = encodeBase64Json(payment);
    // With a kilobyte of query string in the resource URL, still over 2 KiB below the bound.
    expect(header.length).toBeLessThan(HEADER_LIMITS.maxLength - 2048);
    expect(decodeBase64Json(header)).toEqual({ ok: true, value: payment });
  });

  it('refuses arrays or objects nested more than 32 levels deep, and decodes 32', () => {
    for (const kind of ['array', 'object'] as const) {
      const deepest = nested(32, kind);
      expect(decodeBase64Json(encodeBase64Json(deepest))).toEqual({ ok: true, value: deepest });
      expect(decodeBase64Json(encodeBase64Json(nested(33, kind)))).toEqual({
        ok: false,
        reason: 'the decoded header nests arrays and objects more than 32 levels deep',
      });
    }
    // Depth counts containers, not keys: a wide, shallow value is fine.
    const wide = { a: Array.from({ length: 300 }, (_, i) => ({ i, v: [i] })) };
    expect(decodeBase64Json(encodeBase64Json(wide))).toEqual({ ok: true, value: wide });
  });

  it('measures depth without recursion, however deep the input', () => {
    const limits = { maxLength: 10_000_000, maxDepth: 32 };
    const header = encodeBase64Json({
      accepted: { scheme: 'exact', extra: nested(200_000, 'array') },
    });
    expect(decodeBase64Json(header, limits)).toEqual({
      ok: false,
      reason: 'the decoded header nests arrays and objects more than 32 levels deep',
    });
    expect(
      decodeBase64Json(encodeBase64Json(nested(3, 'object')), { ...limits, maxDepth: 2 }),
    ).toEqual({
      ok: false,
      reason: 'the decoded header nests arrays and objects more than 2 levels deep',
    });
  });
});
