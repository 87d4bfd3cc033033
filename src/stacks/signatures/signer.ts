/**
 * The verdict shared by every signature route: recover the signer's key from a recoverable
 * signature over a 32-byte hash, then compare it with the signer the caller expects, if any.
 *
 * With `publicKey`: valid when the signature recovers exactly that key. This is
 * `secp256k1-verify` plus a correct recovery id, the check a contract makes with
 * `secp256k1-recover?` (SIP-018's reference `verify-signature`).
 * With `address`: valid when hash160 of the recovered compressed key equals the address's hash160,
 * as `(is-eq (principal-of? (secp256k1-recover? hash sig)) (ok signer))` does up to the version
 * byte. The version (the network) is reported, not compared, so a testnet server still answers for
 * a mainnet address and says which network it named.
 * With neither: valid when the signature recovers some key; the caller compares `address` itself.
 */
import { getAddressFromPublicKey, hash160 } from '@stacks/transactions';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { type ParsedPrincipal, parsePrincipal } from '../clarity/principal';
import type { StacksNetworkName } from '../tokens';
import { type Parsed, type RsvSignature, recoverPublicKey } from './recover';

export type ExpectedSigner =
  | { kind: 'publicKey'; publicKey: string }
  | { kind: 'address'; address: ParsedPrincipal }
  | { kind: 'any' };

const INVALID_ADDRESS =
  'address must be a Stacks standard address (SP, SM, ST or SN) with a valid checksum, written in canonical c32 (upper case), not a contract principal';

/**
 * The expected signer's address: a standard principal of either network, spelled canonically. A
 * single-sig (P2PKH) address is hash160 of the compressed public key, which is what Clarity's
 * `principal-of?` makes of the key `secp256k1-recover?` returns.
 */
export function parseStandardAddress(value: string): Parsed<ParsedPrincipal> {
  const parsed = parsePrincipal(value);
  if (!parsed.ok || parsed.principal.contractName !== undefined) {
    return { ok: false, message: INVALID_ADDRESS };
  }
  return { ok: true, value: parsed.principal };
}

export interface SignerVerdict {
  valid: boolean;
  /** The recovered public key, compressed hex; null when the signature recovers no key. */
  publicKey: string | null;
  /** The single-sig address of the recovered key on `network`. */
  address: string | null;
  /** The network this service is configured for, which `address` is written for. */
  network: StacksNetworkName;
  /** Only when an address was given: whether its hash160 is the recovered key's. */
  addressMatches?: boolean;
  /** Only when an address was given: the network its version byte names. */
  addressNetwork?: StacksNetworkName;
}

export function judgeSignature(
  hash: Uint8Array,
  signature: RsvSignature,
  expected: ExpectedSigner,
  network: StacksNetworkName,
): SignerVerdict {
  const recovered = recoverPublicKey(hash, signature);
  const verdict = {
    publicKey: recovered,
    address: recovered ? getAddressFromPublicKey(recovered, network) : null,
    network,
  };
  switch (expected.kind) {
    case 'publicKey':
      return { valid: recovered !== null && recovered === expected.publicKey, ...verdict };
    case 'address': {
      const matches =
        recovered !== null && publicKeyHash160(recovered) === expected.address.hash160;
      return {
        valid: matches,
        ...verdict,
        addressMatches: matches,
        addressNetwork: expected.address.network,
      };
    }
    case 'any':
      return { valid: recovered !== null, ...verdict };
  }
}

/** hash160 (RIPEMD-160 of SHA-256) of a public key given as hex, as hex. */
function publicKeyHash160(publicKey: string): string {
  const hex = parseHex(publicKey);
  if (!hex.ok) throw new Error(`publicKeyHash160: ${hex.reason}`);
  return bytesToHex(hash160(hex.bytes));
}
