/**
 * SIP-018 signed structured data (stacksgov/sips, sips/sip-018/sip-018-signed-structured-data.md):
 *
 *   structuredDataHash(D) = sha256(ToCVWireFormat(D))
 *   domainHash            = structuredDataHash(domain)
 *   messageHash(D)        = sha256(0x534950303138 ("SIP018") || domainHash || structuredDataHash(D))
 *
 * and the signature is a secp256k1 signature of messageHash(D) in RSV order. The domain is the tuple
 * {name: string-ascii, version: string-ascii, chain-id: uint}; chain-id is 1 for mainnet and
 * 2147483648 (0x80000000) for testnet, and any other chain's id (a Stacks chain id is 32 bits) is
 * equally valid: it is what makes a signature chain specific.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { Cl, type ClarityValue, type TupleCV } from '@stacks/transactions';
import { serializeClarityValue } from '../clarity/serialize';

/** "SIP018" in ASCII: no Stacks transaction or Clarity value starts with these bytes. */
export const SIP018_PREFIX = Uint8Array.of(0x53, 0x49, 0x50, 0x30, 0x31, 0x38);

/** Stacks chain ids are 32-bit (SIP-005 transactions carry them in 4 bytes). */
export const MAX_CHAIN_ID = 0xffffffff;

export interface Sip018Domain {
  name: string;
  version: string;
  chainId: number;
}

export function sip018DomainValue(domain: Sip018Domain): TupleCV {
  return Cl.tuple({
    name: Cl.stringAscii(domain.name),
    version: Cl.stringAscii(domain.version),
    'chain-id': Cl.uint(domain.chainId),
  });
}

export function structuredDataHash(value: ClarityValue): Uint8Array {
  return sha256(serializeClarityValue(value));
}

export interface Sip018Hashes {
  /** structuredDataHash(domain). */
  domainHash: Uint8Array;
  /** structuredDataHash(message). */
  messageHash: Uint8Array;
  /** SIP-018 messageHash(D): the 32 bytes that are signed. */
  hash: Uint8Array;
}

/** Hashes from the message's consensus bytes (as given in hex, or serialized from JSON). */
export function sip018Hashes(domain: Sip018Domain, serializedMessage: Uint8Array): Sip018Hashes {
  const domainHash = structuredDataHash(sip018DomainValue(domain));
  const messageHash = sha256(serializedMessage);
  return {
    domainHash,
    messageHash,
    hash: sha256(concatBytes(SIP018_PREFIX, domainHash, messageHash)),
  };
}
