/**
 * RSV signature parsing, key recovery, public keys, addresses and the shared verdict. The raw-hash
 * vector is stacks.js's (packages/encryption/tests/ec.test.ts, checked there with Clarity's
 * `secp256k1-verify`); the keys are the SIP-018 and devnet test keys.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { uncompressPublicKey } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, parseRsvSignature, recoverPublicKey } from './recover';
import { judgeSignature, parseStandardAddress } from './signer';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HASH = sha256(new TextEncoder().encode('Hello World'));
const R = 'f540e429fc6e8a4c27f2782479e739cae99aa21e8cb25d4436f333577bc791cd';
const S = '1d9672055dd1604dd5194b88076e4f859dd93c834785ed589ec38291698d4142';
const SIGNATURE = `${R}${S}00`;
const KEY = '0290255f88fa311f5dee9425ce33d7d516c24157e2aae8e25a6c631dd6f7322aef';
const DEPLOYER_KEY = '0390a5cac7c33fda49f70bc1b0866fa0ba7a9440d9de647fecb8132ceb76a94dfa';

const sig = (value: string) => {
  const parsed = parseRsvSignature(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};
const address = (value: string) => {
  const parsed = parseStandardAddress(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};
const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');

describe('parseRsvSignature', () => {
  it('reads 65 bytes of hex, 0x optional, either case', () => {
    expect(bytesToHex(sig(SIGNATURE).bytes)).toBe(SIGNATURE);
    expect(sig(`0x${SIGNATURE.toUpperCase()}`).recoveryId).toBe(0);
  });

  it.each([
    ['64 bytes', `${R}${S}`],
    ['66 bytes', `${SIGNATURE}00`],
    ['odd digits', `${SIGNATURE}0`],
    ['non-hex', `${SIGNATURE.slice(0, 128)}zz`],
    ['recovery id 4', `${R}${S}04`],
    ['a Bitcoin header byte (27)', `${R}${S}1b`],
    ['r = 0', `${'0'.repeat(64)}${S}00`],
    ['s = n', `${R}${hex32(N)}00`],
    ['r > n', `${hex32(N + 1n)}${S}00`],
  ])('refuses %s', (_label, value) => {
    expect(parseRsvSignature(value).ok).toBe(false);
  });

  it('refuses the VRS order (recovery id first) rather than guessing', () => {
    const sip018Vrs = `01${'8b94e45701d857c9f1d1d70e8b2ca076045dae4920fb0160be0642a68cd78de072ab527b5c5277a593baeb2a8b657c216b99f7abb5d14af35b4bf12ba6460ba4'}`;
    expect(parseRsvSignature(sip018Vrs)).toEqual({
      ok: false,
      message:
        'signature recovery id (its last byte) must be 0 to 3, not 164: send RSV order, recovery id last',
    });
  });
});

describe('recoverPublicKey', () => {
  it('recovers the stacks.js vector key', () => {
    expect(recoverPublicKey(HASH, sig(SIGNATURE))).toBe(KEY);
  });

  it('recovers the same key from the high-s twin (as secp256k1-recover? does)', () => {
    const highS = hex32(N - BigInt(`0x${S}`));
    expect(recoverPublicKey(HASH, sig(`${R}${highS}01`))).toBe(KEY);
  });

  it('a wrong recovery id recovers another key', () => {
    expect(recoverPublicKey(HASH, sig(`${R}${S}01`))).not.toBe(KEY);
  });

  it('answers null when r is no point of the curve', () => {
    // x = 5: 5^3 + 7 = 132 is not a square modulo p.
    expect(recoverPublicKey(HASH, sig(`${hex32(5n)}${S}00`))).toBeNull();
  });
});

describe('parsePublicKey', () => {
  it('answers the compressed form of compressed and uncompressed keys', () => {
    expect(parsePublicKey(KEY)).toEqual({ ok: true, value: KEY });
    expect(parsePublicKey(`0x${uncompressPublicKey(KEY)}`)).toEqual({ ok: true, value: KEY });
  });

  it.each([
    ['x-only (32 bytes)', KEY.slice(2)],
    ['a wrong prefix', `04${KEY.slice(2)}`],
    ['a hybrid key (06)', `06${uncompressPublicKey(KEY).slice(2)}`],
    ['a point off the curve', `02${hex32(5n)}`],
    ['non-hex', 'hello'],
  ])('refuses %s', (_label, value) => {
    expect(parsePublicKey(value).ok).toBe(false);
  });
});

describe('parseStandardAddress', () => {
  it('reads both networks and both hash modes', () => {
    expect(address('ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM')).toEqual({
      address: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
      version: 26,
      hash160: '6d78de7b0625dfbfc16c3a8a5735f6dc3dc3f2ce',
      network: 'testnet',
      kind: 'single-sig',
    });
    expect(address('SP1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRCBGD7R').network).toBe('mainnet');
    expect(address('SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4').network).toBe('mainnet');
  });

  it.each([
    ['lower case', 'st1pqhqkv0rjxzfy1dgx8mnsnyve3vgzjsrtpgzgm'],
    ['a bad checksum', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGN'],
    ['a contract principal', 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx'],
    ['a Bitcoin address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
    ['an empty string', ''],
  ])('refuses %s', (_label, value) => {
    expect(parseStandardAddress(value).ok).toBe(false);
  });
});

describe('judgeSignature', () => {
  const signature = sig(SIGNATURE);

  it('with publicKey: valid only for the recovered key', () => {
    expect(
      judgeSignature(HASH, signature, { kind: 'publicKey', publicKey: KEY }, 'mainnet'),
    ).toEqual({
      valid: true,
      publicKey: KEY,
      address: 'SP1TGRSFB5ZY8QYPHSTRKJKMNATZ8WZVEBZ10WZZF',
      network: 'mainnet',
    });
    expect(
      judgeSignature(HASH, signature, { kind: 'publicKey', publicKey: DEPLOYER_KEY }, 'mainnet')
        .valid,
    ).toBe(false);
  });

  it('with address: compares hash160 and reports the address network', () => {
    const mainnet = address('SP1TGRSFB5ZY8QYPHSTRKJKMNATZ8WZVEBZ10WZZF');
    expect(
      judgeSignature(HASH, signature, { kind: 'address', address: mainnet }, 'testnet'),
    ).toEqual({
      valid: true,
      publicKey: KEY,
      address: 'ST1TGRSFB5ZY8QYPHSTRKJKMNATZ8WZVEBX79A1EN',
      network: 'testnet',
      addressMatches: true,
      addressNetwork: 'mainnet',
    });
    const other = address('ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM');
    expect(
      judgeSignature(HASH, signature, { kind: 'address', address: other }, 'testnet'),
    ).toMatchObject({ valid: false, addressMatches: false, addressNetwork: 'testnet' });
  });

  it('a signature that recovers no key is invalid, with no key or address', () => {
    expect(judgeSignature(HASH, sig(`${hex32(5n)}${S}00`), { kind: 'any' }, 'testnet')).toEqual({
      valid: false,
      publicKey: null,
      address: null,
      network: 'testnet',
    });
  });
});
