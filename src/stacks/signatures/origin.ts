/**
 * SIP-005 origin verification ("Transaction Signing and Verifying") with this isolate's recovery
 * engine (recovery-engine.ts: libsecp256k1 in WASM in a Worker). A drop-in for
 * @stacks/transactions' `verifyOrigin(auth, initialSigHash)` and `tx.verifyOrigin()`: the same
 * sighashes, the same signer-hash comparison (through the same `addressFromPublicKeys`), the same
 * answer (the next sighash) or a thrown Error. Only the key recovery of a single-signature origin
 * changes; multi-signature origins are handed to @stacks/transactions as they are.
 *
 * Like the library, it judges neither the hash mode against the key encoding beyond what
 * `addressFromPublicKeys` checks, nor S: callers refuse a high S before (SIP-005 requires low S).
 */

import { sha512_256 } from '@noble/hashes/sha2.js';
import {
  type Authorization,
  AuthType,
  addressFromPublicKeys,
  createStacksPublicKey,
  intoInitialSighashAuth,
  isSingleSig,
  PubKeyEncoding,
  type StacksTransactionWire,
  serializeAuthorizationBytes,
  txidFromData,
  verifyOrigin as verifyOriginInJavaScript,
} from '@stacks/transactions';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { concatBytes } from '../clarity/serialize';
import { recoverPublicKeyBytes } from './recovery-engine';

/** Why an origin signature does not verify (the library's own VerificationError is not exported). */
export class OriginVerificationError extends Error {
  override readonly name = 'OriginVerificationError';
}

const SIGHASH_BYTES = 32;
const RECOVERABLE_SIGNATURE_BYTES = 65;

function uint64BigEndian(value: bigint, into: Uint8Array, at: number): void {
  new DataView(into.buffer, into.byteOffset, into.byteLength).setBigUint64(at, value);
}

function hexBytes(value: string, what: string): Uint8Array {
  const parsed = parseHex(value);
  if (!parsed.ok) throw new OriginVerificationError(`${what} is not hex`);
  return parsed.bytes;
}

/**
 * Verifies the origin's spending condition against `initialSigHash` (hex: the txid of the
 * transaction with its authorization cleared); answers the sighash after the origin's signature.
 */
export function verifyOrigin(auth: Authorization, initialSigHash: string): string {
  const condition = auth.spendingCondition;
  if (!isSingleSig(condition)) return verifyOriginInJavaScript(auth, initialSigHash);
  if (auth.authType !== AuthType.Standard && auth.authType !== AuthType.Sponsored) {
    throw new OriginVerificationError('Invalid origin auth type');
  }
  const initial = hexBytes(initialSigHash, 'the initial sighash');
  const signature = hexBytes(condition.signature.data, 'the signature');
  if (initial.length !== SIGHASH_BYTES || signature.length !== RECOVERABLE_SIGNATURE_BYTES) {
    throw new OriginVerificationError('Invalid signature hash length');
  }

  // Pre-sign sighash: previous sighash || auth flag || fee || nonce. The origin always signs with
  // the standard flag, sponsored or not (as @stacks/transactions and the node do).
  const preSign = new Uint8Array(SIGHASH_BYTES + 1 + 8 + 8);
  preSign.set(initial, 0);
  preSign[SIGHASH_BYTES] = AuthType.Standard;
  uint64BigEndian(BigInt(condition.fee), preSign, SIGHASH_BYTES + 1);
  uint64BigEndian(BigInt(condition.nonce), preSign, SIGHASH_BYTES + 9);
  const preSignHash = sha512_256(preSign);

  // Stacks keeps the signature VRS: recovery id first, then r and s.
  const compressed = condition.keyEncoding === PubKeyEncoding.Compressed;
  const publicKey = recoverPublicKeyBytes(
    preSignHash,
    signature.subarray(1),
    signature[0],
    compressed,
  );
  if (publicKey === null) {
    throw new OriginVerificationError('the signature recovers no public key');
  }
  const signer = addressFromPublicKeys(
    0 as never, // only the hash is read: the version does not enter it
    condition.hashMode,
    1,
    [createStacksPublicKey(publicKey)],
  ).hash160;
  if (signer !== condition.signer) {
    throw new OriginVerificationError(
      `Signer hash does not equal hash of public key(s): ${signer} != ${condition.signer}`,
    );
  }

  // Post-sign sighash: pre-sign sighash || key encoding || signature.
  const postSign = new Uint8Array(SIGHASH_BYTES + 1 + RECOVERABLE_SIGNATURE_BYTES);
  postSign.set(preSignHash, 0);
  postSign[SIGHASH_BYTES] = compressed ? PubKeyEncoding.Compressed : PubKeyEncoding.Uncompressed;
  postSign.set(signature, SIGHASH_BYTES + 1);
  return bytesToHex(sha512_256(postSign));
}

/** Where the authorization starts in a serialized transaction: after version (1) and chain id (4). */
export const AUTHORIZATION_OFFSET = 5;

/**
 * The initial sighash (SIP-005) straight from a transaction's canonical bytes: the txid of those
 * bytes with the authorization cleared. The same value as `tx.verifyBegin()`, which deep-clones
 * and re-serialises the whole transaction (payload and post-conditions included) to get it.
 * `authEnd` is where the authorization ends in `canonical` (computed when not given).
 */
export function initialSighashOf(
  auth: Authorization,
  canonical: Uint8Array,
  authEnd = AUTHORIZATION_OFFSET + serializeAuthorizationBytes(auth).length,
): string {
  return txidFromData(
    concatBytes([
      canonical.subarray(0, AUTHORIZATION_OFFSET),
      serializeAuthorizationBytes(intoInitialSighashAuth(auth)),
      canonical.subarray(authEnd),
    ]),
  );
}

/** `tx.verifyOrigin()` with this isolate's recovery engine. */
export function verifyTransactionOrigin(tx: StacksTransactionWire): string {
  return verifyOrigin(tx.auth, tx.verifyBegin());
}
