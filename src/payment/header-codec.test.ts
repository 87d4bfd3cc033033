import { describe, expect, it } from 'vitest';
import { decodeBase64Json, encodeBase64Json } from './header-codec';

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
    expect(decodeBase64Json(encodeBase64Json(value))).toEqual({ ok: true, value });
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
});
