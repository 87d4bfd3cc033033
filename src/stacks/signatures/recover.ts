/**
 * secp256k1 recoverable signatures as Stacks wallets and Clarity use them.
 *
 * Byte order: we accept RSV only, 65 bytes: r (32) || s (32) || recovery id (1). SIP-018 defines
 * its signatures as "ECDSA with the secp256k1 curve, encoded in RSV order"; Clarity's
 * `secp256k1-recover?` reads the recovery id from the 65th byte; and the stacks.js functions that
 * wallets sign with (`signMessageHashRsv`, `signStructuredData`; `verifyMessageSignatureRsv` on
 * the other side) produce and read RSV. Stacks transactions keep VRS (recovery id first) inside
 * their spending conditions, but no wallet message-signing API returns that order. We do not guess
 * the order from the bytes: a signature whose first and last bytes are both 0..3 reads both ways.
 *
 * Recovery ids 0..3 are accepted, as libsecp256k1 (behind Clarity) accepts them; Bitcoin-style
 * header bytes (27..34) are not. r and s must lie in [1, n-1]. A high s is accepted, as Clarity's
 * `secp256k1-recover?` and stacks.js `verifyMessageSignatureRsv` (noble, `strict: false`) accept it.
 */
import { compressPublicKey } from '@stacks/transactions';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { recoverPublicKeyBytes } from './recovery-engine';

/** The order n of the secp256k1 group (SEC 2, section 2.4.1). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export const RSV_SIGNATURE_BYTES = 65;

export interface RsvSignature {
  /** The 65 signature bytes, RSV order. */
  bytes: Uint8Array;
  recoveryId: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function scalar(bytes: Uint8Array): bigint {
  return BigInt(`0x${bytesToHex(bytes)}`);
}

/** Reads a 65-byte RSV signature from hex (`0x` optional): structure only, not validity. */
export function parseRsvSignature(value: string): Parsed<RsvSignature> {
  const hex = parseHex(value);
  if (!hex.ok || hex.bytes.length !== RSV_SIGNATURE_BYTES) {
    return {
      ok: false,
      message: `signature must be ${RSV_SIGNATURE_BYTES} bytes of hex (130 hex digits, 0x optional) in RSV order: r, s, then the recovery id`,
    };
  }
  const { bytes } = hex;
  const r = scalar(bytes.subarray(0, 32));
  const s = scalar(bytes.subarray(32, 64));
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) {
    return {
      ok: false,
      message: 'signature r and s must each be between 1 and the secp256k1 group order minus 1',
    };
  }
  const recoveryId = bytes[64];
  if (recoveryId > 3) {
    return {
      ok: false,
      message: `signature recovery id (its last byte) must be 0 to 3, not ${recoveryId}: send RSV order, recovery id last`,
    };
  }
  return { ok: true, value: { bytes, recoveryId } };
}

/**
 * The compressed public key (hex) that `signature` recovers to over the 32-byte `hash`, or null
 * when it recovers to none (r is not the x-coordinate of a curve point, or the point is infinity).
 * Recovered with libsecp256k1 (WASM) in a Worker, in JavaScript elsewhere (recovery-engine.ts).
 */
export function recoverPublicKey(hash: Uint8Array, signature: RsvSignature): string | null {
  const key = recoverPublicKeyBytes(
    hash,
    signature.bytes.subarray(0, 64),
    signature.recoveryId,
    true,
  );
  return key === null ? null : bytesToHex(key);
}

/**
 * A secp256k1 public key from hex: 33 bytes compressed (02/03) or 65 bytes uncompressed (04), on
 * the curve. Answers the compressed form, the one `secp256k1-recover?` returns.
 */
export function parsePublicKey(value: string): Parsed<string> {
  const hex = parseHex(value);
  const bytes = hex.ok ? hex.bytes : new Uint8Array();
  const shapeOk =
    (bytes.length === 33 && (bytes[0] === 0x02 || bytes[0] === 0x03)) ||
    (bytes.length === 65 && bytes[0] === 0x04);
  if (shapeOk) {
    try {
      return { ok: true, value: compressPublicKey(bytesToHex(bytes)) };
    } catch {
      // Not a point on the curve: reported below.
    }
  }
  return {
    ok: false,
    message:
      'publicKey must be a secp256k1 point in hex (0x optional): 33 bytes starting 02 or 03, or 65 bytes starting 04',
  };
}
