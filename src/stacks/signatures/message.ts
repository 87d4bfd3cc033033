/**
 * Stacks signed messages (the plain-text `stx_signMessage` of wallets and stacks.js
 * `@stacks/encryption` `hashMessage`): the signed hash is
 *
 *   sha256("\x17Stacks Signed Message:\n" || varint(length of message) || message)
 *
 * where 0x17 (23) is the length of "Stacks Signed Message:\n" and varint is Bitcoin's CompactSize
 * (one byte below 0xfd; else 0xfd, 0xfe or 0xff followed by 2, 4 or 8 little-endian bytes), as in
 * Bitcoin's signed messages that this format copies. The pre-2022 prefix
 * "\x18Stacks Message Signing:\n" is not accepted: it is a different signed statement.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const STACKS_MESSAGE_PREFIX: Uint8Array = utf8ToBytes('\x17Stacks Signed Message:\n');

/** Bitcoin CompactSize encoding of a length. */
export function compactSize(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length out of range');
  if (length < 0xfd) return Uint8Array.of(length);
  const width = length <= 0xffff ? 2 : length <= 0xffffffff ? 4 : 8;
  const out = new Uint8Array(1 + width);
  out[0] = width === 2 ? 0xfd : width === 4 ? 0xfe : 0xff;
  let rest = BigInt(length);
  for (let i = 1; i <= width; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** The bytes that are hashed: prefix, CompactSize length, message. */
export function encodeStacksMessage(message: Uint8Array): Uint8Array {
  return concatBytes(STACKS_MESSAGE_PREFIX, compactSize(message.length), message);
}

/** The 32-byte hash a wallet signs for `message`. */
export function hashStacksMessage(message: Uint8Array): Uint8Array {
  return sha256(encodeStacksMessage(message));
}
