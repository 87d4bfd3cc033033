/**
 * Stacks signed messages. Vectors from stacks.js (hirosystems/stacks.js,
 * packages/encryption/tests/messageSignature.test.ts: the encodings, the hash of "hello world"
 * checked there with openssl, and the "complete flow" key, address and signatures), plus
 * signatures made here with @stacks/transactions `signMessageHashRsv` and the devnet keys.
 */
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { privateKeyToPublic, signMessageHashRsv } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { OTHER_KEY, PAYER_KEY } from '../../../test/worker/support/payments';
import {
  compactSize,
  encodeStacksMessage,
  hashStacksMessage,
  STACKS_MESSAGE_PREFIX,
} from './message';
import { parseRsvSignature, recoverPublicKey } from './recover';
import { judgeSignature, parseStandardAddress } from './signer';

const hex = bytesToHex;
const signature = (value: string) => {
  const parsed = parseRsvSignature(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};

describe('Stacks message encoding', () => {
  it('prefixes "\\x17Stacks Signed Message:\\n" (0x17 = its 23 characters)', () => {
    expect(hex(STACKS_MESSAGE_PREFIX)).toBe('17537461636b73205369676e6564204d6573736167653a0a');
    expect(STACKS_MESSAGE_PREFIX.length - 1).toBe(0x17);
  });

  it.each([
    [0, '00'],
    [0x0b, '0b'],
    [0xfc, 'fc'],
    [0xfd, 'fdfd00'],
    [284, 'fd1c01'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [0x100000000, 'ff0000000001000000'],
  ])('CompactSize(%i) is %s', (length, expected) => {
    expect(hex(compactSize(length))).toBe(expected);
  });

  it('encodes the stacks.js vectors: "hello world", "" and a 284-byte message', () => {
    expect(encodeStacksMessage(utf8ToBytes('hello world'))).toEqual(
      utf8ToBytes('\x17Stacks Signed Message:\n\x0bhello world'),
    );
    expect(encodeStacksMessage(new Uint8Array())).toEqual(
      utf8ToBytes('\x17Stacks Signed Message:\n\x00'),
    );
    const long = utf8ToBytes(
      'This is a really long message to test the var_int prefix '.repeat(5).trimEnd(),
    );
    expect(long.length).toBe(284);
    expect(encodeStacksMessage(long)).toEqual(
      concatBytes(STACKS_MESSAGE_PREFIX, Uint8Array.of(253, 28, 1), long),
    );
  });

  it('hashes "hello world" to the stacks.js (and openssl) value', () => {
    expect(hex(hashStacksMessage(utf8ToBytes('hello world')))).toBe(
      '619997693db23de4b92ed152444a578a134143d9ad2c0f4dff2615de9d42ad96',
    );
  });
});

describe('Stacks message signatures', () => {
  // stacks.js "message signing complete flow".
  const message = utf8ToBytes('You are saying that you want to perform action XYZ.');
  const publicKey = '024cce41b91566d70ec2ed6eb161c6ef9c277bdc034738318ed06f1d5ba09546d6';
  const current =
    '29ef6d718235e5fc32a1b90dd8fc7fa9403fa1b55c2dce46374570b7f3a4815d0215b8565f29a33ef8132dc0db6b00a5f13d85d6aff5c1171271818b9928928c01';
  const legacy =
    'ab7d5f728dfc6daf0511bf292f981ae44c2ffb6f5fa1adf1db28580aeb9418903c28ddc87ede66ef4091c1df03ef4348b22de1f34b8581ab820d0d93a266115300';

  it('verifies the stacks.js vector and derives its address', () => {
    const hash = hashStacksMessage(message);
    expect(hex(hash)).toBe('650ff1a80ea3fab019b383d4385fcc52bb4d1cbce4713f3e95889013be3569a5');
    expect(recoverPublicKey(hash, signature(current))).toBe(publicKey);
    const address = parseStandardAddress('STGSJA8EMYDBAJDX6Z4ED8CWW071B6NB97SRAM1E');
    if (!address.ok) throw new Error(address.message);
    expect(
      judgeSignature(
        hash,
        signature(current),
        { kind: 'address', address: address.value },
        'testnet',
      ),
    ).toEqual({
      valid: true,
      publicKey,
      address: 'STGSJA8EMYDBAJDX6Z4ED8CWW071B6NB97SRAM1E',
      network: 'testnet',
      addressMatches: true,
      addressNetwork: 'testnet',
    });
  });

  it('does not accept a signature over the legacy "\\x18Stacks Message Signing:\\n" prefix', () => {
    const hash = hashStacksMessage(message);
    const verdict = judgeSignature(
      hash,
      signature(legacy),
      { kind: 'publicKey', publicKey },
      'testnet',
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.publicKey).not.toBe(publicKey);
  });

  it('verifies what @stacks/transactions signMessageHashRsv signs with the devnet keys', () => {
    for (const key of [PAYER_KEY, OTHER_KEY]) {
      for (const text of ['', 'Hello World', 'héllo wörld ✓', 'x'.repeat(300)]) {
        const hash = hashStacksMessage(utf8ToBytes(text));
        const rsv = signMessageHashRsv({ messageHash: hex(hash), privateKey: key });
        expect(recoverPublicKey(hash, signature(rsv))).toBe(privateKeyToPublic(key));
      }
    }
  });

  it('a tampered message recovers another key', () => {
    const hash = hashStacksMessage(utf8ToBytes('Hello World'));
    const rsv = signMessageHashRsv({ messageHash: hex(hash), privateKey: PAYER_KEY });
    const tampered = hashStacksMessage(utf8ToBytes('Hello World!'));
    expect(recoverPublicKey(tampered, signature(rsv))).not.toBe(privateKeyToPublic(PAYER_KEY));
  });
});
