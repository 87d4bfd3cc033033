/**
 * Strict hex for request bodies: `0x` optional, either case, an even number of hex digits, nothing
 * else. Lenient parsers (`parseInt` per pair, `hexToBytes`) read `zz` or a stray space as bytes; a
 * decoder that guesses would answer for bytes nobody sent. The one hex parser of the codebase:
 * Clarity values, transactions, signatures, public keys, hash inputs.
 */
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

export type HexParse = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

export interface HexOptions {
  /**
   * Whether `""` and `"0x"` are zero bytes (a signed message or a buffer may be empty) rather than
   * a mistake (a Clarity value or a transaction is at least one byte). Off by default.
   */
  allowEmpty?: boolean;
}

/** Parses `0x`-optional hex into bytes (check `hexByteLength` against a limit first). */
export function parseHex(input: string, { allowEmpty = false }: HexOptions = {}): HexParse {
  const digits = /^0x/i.test(input) ? input.slice(2) : input;
  if (!HEX_DIGITS.test(digits)) {
    return {
      ok: false,
      reason: 'it must contain only hex digits (0-9, a-f), after an optional 0x',
    };
  }
  if (digits.length % 2 !== 0) {
    return { ok: false, reason: 'it has an odd number of hex digits; each byte is two digits' };
  }
  if (digits.length === 0 && !allowEmpty) {
    return { ok: false, reason: 'it is empty; send at least one byte' };
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  }
  return { ok: true, bytes };
}

/** Byte length of a hex input without decoding it (for size limits checked first). */
export function hexByteLength(input: string): number {
  return Math.floor((/^0x/i.test(input) ? input.length - 2 : input.length) / 2);
}

/** Lower-case hex without a prefix, the form stacks.js and wallets use for keys and signatures. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
