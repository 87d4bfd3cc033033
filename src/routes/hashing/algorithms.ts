/**
 * The hash functions we sell, from @noble/hashes (audited) rather than hand-written code.
 * SHA-512/256 is the FIPS 180-4 function with its own initial values, not truncated SHA-512
 * (the predecessor's defect, DESIGN section 9).
 */
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256, sha512, sha512_256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

export const HASH_ALGORITHMS = {
  sha256: {
    digest: (data: Uint8Array) => sha256(data),
    title: 'SHA-256',
    description: 'SHA-256 (FIPS 180-4).',
  },
  sha512: {
    digest: (data: Uint8Array) => sha512(data),
    title: 'SHA-512',
    description: 'SHA-512 (FIPS 180-4).',
  },
  'sha512-256': {
    digest: (data: Uint8Array) => sha512_256(data),
    title: 'SHA-512/256',
    description:
      'SHA-512/256 as FIPS 180-4 defines it (its own initial hash values), the hash Stacks uses for txids.',
  },
  keccak256: {
    digest: (data: Uint8Array) => keccak_256(data),
    title: 'Keccak-256',
    description: 'Keccak-256 with the original padding (as Ethereum uses), not NIST SHA3-256.',
  },
  hash160: {
    digest: (data: Uint8Array) => ripemd160(sha256(data)),
    title: 'HASH160',
    description: 'RIPEMD-160 of SHA-256, as Bitcoin and Stacks use for addresses.',
  },
  ripemd160: {
    digest: (data: Uint8Array) => ripemd160(data),
    title: 'RIPEMD-160',
    description: 'RIPEMD-160.',
  },
} as const;

export type HashAlgorithm = keyof typeof HASH_ALGORITHMS;
