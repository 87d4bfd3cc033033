/**
 * SIP-018 vectors.
 * - The SIP's own "Test vectors" section (stacksgov/sips, sips/sip-018/sip-018-signed-structured-data.md):
 *   structured data hashes, the message hash and the signature by key 753b7cc0...a601.
 * - The reference implementation's Clarinet tests (MarvinJanssen/stx-signed-structured-data,
 *   tests/signed-structured-data_test.ts), verified on chain by the SIP's reference contract:
 *   "Hello World" signed for {name: "Dapp Name", version: "1.0.0", chain-id: u1}, for "Bogus App",
 *   for chain-id u2, and (an earlier revision of that test) with the pre-ratification prefix 0xc0.
 * - Signatures made here with @stacks/transactions `signStructuredData` and the devnet keys.
 */
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  Cl,
  encodeStructuredData,
  privateKeyToPublic,
  signMessageHashRsv,
  signStructuredData,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { PAYER_KEY } from '../../../test/worker/support/payments';
import { serializeClarityValue } from '../clarity/serialize';
import { hashStacksMessage } from './message';
import { parseRsvSignature, recoverPublicKey } from './recover';
import {
  SIP018_PREFIX,
  type Sip018Domain,
  sip018DomainValue,
  sip018Hashes,
  structuredDataHash,
} from './sip018';

const SIP_KEY = '0390a5cac7c33fda49f70bc1b0866fa0ba7a9440d9de647fecb8132ceb76a94dfa';
const HELLO = Cl.stringAscii('Hello World');
const TEST_APP: Sip018Domain = { name: 'Test App', version: '1.0.0', chainId: 1 };
const DAPP: Sip018Domain = { name: 'Dapp Name', version: '1.0.0', chainId: 1 };

const hex = bytesToHex;
const signerOf = (domain: Sip018Domain, message: Uint8Array, signature: string) => {
  const parsed = parseRsvSignature(signature);
  if (!parsed.ok) throw new Error(parsed.message);
  return recoverPublicKey(sip018Hashes(domain, message).hash, parsed.value);
};

describe('SIP-018 test vectors (the SIP)', () => {
  it('structured data hashes', () => {
    expect(hex(structuredDataHash(HELLO))).toBe(
      '5297eef9765c466d945ad1cb2c81b30b9fed6c165575dc9226e9edf78b8cd9e8',
    );
    expect(hex(structuredDataHash(Cl.stringAscii('')))).toBe(
      '3c8f1b104592e3ebb2b2602b3979a27e77f586fb4c655369fa4eccb6d545a0f8',
    );
    expect(hex(structuredDataHash(sip018DomainValue(TEST_APP)))).toBe(
      '2538b5dc06c5ae2f11549261d7ae174d9f77a55a92b00f330884695497be5065',
    );
  });

  it('message hash and signature', () => {
    const hashes = sip018Hashes(TEST_APP, serializeClarityValue(HELLO));
    expect({
      domainHash: hex(hashes.domainHash),
      messageHash: hex(hashes.messageHash),
      hash: hex(hashes.hash),
    }).toEqual({
      domainHash: '2538b5dc06c5ae2f11549261d7ae174d9f77a55a92b00f330884695497be5065',
      messageHash: '5297eef9765c466d945ad1cb2c81b30b9fed6c165575dc9226e9edf78b8cd9e8',
      hash: '1bfdab6d4158313ce34073fbb8d6b0fc32c154d439def12247a0f44bb2225259',
    });
    const signature =
      '8b94e45701d857c9f1d1d70e8b2ca076045dae4920fb0160be0642a68cd78de072ab527b5c5277a593baeb2a8b657c216b99f7abb5d14af35b4bf12ba6460ba401';
    expect(signerOf(TEST_APP, serializeClarityValue(HELLO), signature)).toBe(SIP_KEY);
  });

  it('the prefix spells SIP018', () => {
    expect(hex(SIP018_PREFIX)).toBe('534950303138');
    expect(new TextDecoder().decode(SIP018_PREFIX)).toBe('SIP018');
  });
});

describe('SIP-018 reference implementation vectors', () => {
  const hello = serializeClarityValue(HELLO);
  const dappSignature =
    '7b30087aec38baa381f9f86c7a33c68dfea4849fd1a1d23671b78efa3272d202797fea39a3924907194129de60d3b1930cc738699942fdd1b4bd7a5d29a1c93f00';
  const bogusAppSignature =
    'a06c5f87e4464390ae4e7baf50c14082ca4a8c3a7e35c2f45a842736b40803ba4196ca23485508b9af52e0bb32111e9e900e071b416a08c9a8f093f682ff46b900';
  const chainTwoSignature =
    '7bcf3700fd2e899eddff664099e0fa3809d01d72b1b6d1c8fb35fa9e2a13577e750482be1a388f445ceec336ce53d9b9b9632ffefa610414afb827906efa648a00';
  const legacyPrefixSignature =
    'adf75475bef12f6d5b79b4495df307f75c608133bbe456442071a7d797fbf971120cd46d367cebdb284dd32efa135ed977e36ba30377adec04d0d9622cbd1ea201';

  it('verifies "Hello World" for Dapp Name on chain 1', () => {
    expect(signerOf(DAPP, hello, dappSignature)).toBe(SIP_KEY);
  });

  it('a signature for another app name or chain id recovers another key for this domain', () => {
    expect(signerOf(DAPP, hello, bogusAppSignature)).not.toBe(SIP_KEY);
    expect(signerOf({ ...DAPP, name: 'Bogus App' }, hello, bogusAppSignature)).toBe(SIP_KEY);
    expect(signerOf(DAPP, hello, chainTwoSignature)).not.toBe(SIP_KEY);
    expect(signerOf({ ...DAPP, chainId: 2 }, hello, chainTwoSignature)).toBe(SIP_KEY);
  });

  it('a signature made with the pre-ratification prefix 0xc0 is not a SIP-018 signature', () => {
    expect(signerOf(DAPP, hello, legacyPrefixSignature)).not.toBe(SIP_KEY);
  });
});

describe('SIP-018 and @stacks/transactions', () => {
  const domain: Sip018Domain = { name: 'x402 Stacks API', version: '2', chainId: 2147483648 };
  const message = Cl.tuple({
    action: Cl.stringAscii('transfer'),
    amount: Cl.uint(1000),
    recipient: Cl.standardPrincipal('ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG'),
    memo: Cl.some(Cl.bufferFromHex('cafe')),
  });

  it('hashes the bytes encodeStructuredData builds', () => {
    const hashes = sip018Hashes(domain, serializeClarityValue(message));
    expect(concatBytes(SIP018_PREFIX, hashes.domainHash, hashes.messageHash)).toEqual(
      Uint8Array.from(
        encodeStructuredData({ domain: sip018DomainValue(domain), message })
          .match(/../g)
          ?.map((byte) => Number.parseInt(byte, 16)) ?? [],
      ),
    );
  });

  it('verifies what signStructuredData signs, and nothing else', () => {
    const signature = signStructuredData({
      domain: sip018DomainValue(domain),
      message,
      privateKey: PAYER_KEY,
    });
    const payer = privateKeyToPublic(PAYER_KEY);
    const bytes = serializeClarityValue(message);
    expect(signerOf(domain, bytes, signature)).toBe(payer);
    expect(signerOf({ ...domain, chainId: 1 }, bytes, signature)).not.toBe(payer);
    expect(signerOf({ ...domain, version: '3' }, bytes, signature)).not.toBe(payer);
    const tampered = Cl.tuple({ ...message.value, amount: Cl.uint(1001) });
    expect(signerOf(domain, serializeClarityValue(tampered), signature)).not.toBe(payer);
  });

  it('a Stacks signed-message signature of the same text is not a SIP-018 signature', () => {
    const plain = signMessageHashRsv({
      messageHash: hex(hashStacksMessage(utf8ToBytes('Hello World'))),
      privateKey: PAYER_KEY,
    });
    const payer = privateKeyToPublic(PAYER_KEY);
    expect(signerOf(DAPP, serializeClarityValue(HELLO), plain)).not.toBe(payer);
  });
});
