/**
 * `POST /stacks/verify/sip018`, paid for for real (402, signed STX payment, retry) with exact
 * answers; malformed input is a free 400 with its code before any 402. Vectors: the SIP's own test
 * vectors (stacksgov/sips, sips/sip-018/sip-018-signed-structured-data.md), the reference
 * implementation's Clarinet tests (MarvinJanssen/stx-signed-structured-data), and signatures made
 * here with @stacks/transactions `signStructuredData` / `signMessageHashRsv` and the devnet keys.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  Cl,
  privateKeyToPublic,
  serializeCVBytes,
  signMessageHashRsv,
  signStructuredData,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { expectFreeRejection, type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson, payFor } from '../../../test/worker/support/paid-request';
import { OTHER_KEY, PAYER, PAYER_KEY } from '../../../test/worker/support/payments';
import { hashStacksMessage } from '../../stacks/signatures/message';
import { sip018DomainValue } from '../../stacks/signatures/sip018';
import { decodeClarityRoute } from './decode-clarity';
import { verifySip018Route } from './verify-sip018';

const PATH = '/stacks/verify/sip018';
const SIP_KEY = '0390a5cac7c33fda49f70bc1b0866fa0ba7a9440d9de647fecb8132ceb76a94dfa';
const SIP_ADDRESS = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM';
const HELLO_JSON = { type: 'ascii', value: 'Hello World' };
const HELLO_HEX = '0d0000000b48656c6c6f20576f726c64';
const TEST_APP = { name: 'Test App', version: '1.0.0', chainId: 1 };
const DAPP = { name: 'Dapp Name', version: '1.0.0', chainId: 1 };
const SIP_SIGNATURE =
  '8b94e45701d857c9f1d1d70e8b2ca076045dae4920fb0160be0642a68cd78de072ab527b5c5277a593baeb2a8b657c216b99f7abb5d14af35b4bf12ba6460ba401';
const DAPP_SIGNATURE =
  '7b30087aec38baa381f9f86c7a33c68dfea4849fd1a1d23671b78efa3272d202797fea39a3924907194129de60d3b1930cc738699942fdd1b4bd7a5d29a1c93f00';

/** Pays for one verification with the given nonce and answers the JSON. */
const paidVerify = (app: TestApp, body: unknown, nonce: bigint) =>
  paidJson(app, PATH, { body, payment: { nonce } });

describe('POST /stacks/verify/sip018', () => {
  it("verifies the SIP's test vector, with the message as JSON or as hex", async () => {
    const app = testApp([verifySip018Route]);
    const hashes = {
      domainHash: '2538b5dc06c5ae2f11549261d7ae174d9f77a55a92b00f330884695497be5065',
      messageHash: '5297eef9765c466d945ad1cb2c81b30b9fed6c165575dc9226e9edf78b8cd9e8',
      hash: '1bfdab6d4158313ce34073fbb8d6b0fc32c154d439def12247a0f44bb2225259',
      serializedMessage: HELLO_HEX,
    };
    const byAddress = {
      domain: TEST_APP,
      message: HELLO_JSON,
      signature: SIP_SIGNATURE,
      address: SIP_ADDRESS,
    };
    expect(await paidVerify(app, byAddress, 0n)).toEqual({
      valid: true,
      publicKey: SIP_KEY,
      address: SIP_ADDRESS,
      network: 'testnet',
      addressMatches: true,
      addressNetwork: 'testnet',
      ...hashes,
    });
    const byKey = {
      domain: TEST_APP,
      message: `0x${HELLO_HEX}`,
      signature: SIP_SIGNATURE,
      publicKey: SIP_KEY,
    };
    expect(await paidVerify(app, byKey, 1n)).toEqual({
      valid: true,
      publicKey: SIP_KEY,
      address: SIP_ADDRESS,
      network: 'testnet',
      ...hashes,
    });
  });

  it('verifies the reference implementation vector and refuses other domains (paid, valid: false)', async () => {
    const app = testApp([verifySip018Route]);
    const body = {
      domain: DAPP,
      message: HELLO_JSON,
      signature: DAPP_SIGNATURE,
      publicKey: SIP_KEY,
    };
    expect(await paidVerify(app, body, 0n)).toMatchObject({
      valid: true,
      domainHash: '05665d6cfd71541cdddedceda9b02897c4211db57d2a3b3ab29344d5855d7134',
      hash: 'bb7f0a122aff9419e6b9f736d2a019504b9b6e6d6ceea34c2eff27ca2fc78f73',
    });
    const wrongChain = await paidVerify(
      app,
      { ...body, domain: { ...DAPP, chainId: 2147483648 } },
      1n,
    );
    expect(wrongChain).toMatchObject({ valid: false });
    expect(wrongChain).not.toMatchObject({ publicKey: SIP_KEY });
    const bogusApp =
      'a06c5f87e4464390ae4e7baf50c14082ca4a8c3a7e35c2f45a842736b40803ba4196ca23485508b9af52e0bb32111e9e900e071b416a08c9a8f093f682ff46b900';
    expect(await paidVerify(app, { ...body, signature: bogusApp }, 2n)).toMatchObject({
      valid: false,
    });
    // Signed with the pre-ratification prefix 0xc0 instead of "SIP018".
    const legacyPrefix =
      'adf75475bef12f6d5b79b4495df307f75c608133bbe456442071a7d797fbf971120cd46d367cebdb284dd32efa135ed977e36ba30377adec04d0d9622cbd1ea201';
    expect(await paidVerify(app, { ...body, signature: legacyPrefix }, 3n)).toMatchObject({
      valid: false,
    });
    expect(app.settler.settled).toHaveLength(4);
  });

  it('verifies signStructuredData of a tuple given in the JSON form; refuses tampering and other keys', async () => {
    const app = testApp([verifySip018Route]);
    const domain = { name: 'x402 Stacks API', version: '2', chainId: 2147483648 };
    const message = {
      type: 'tuple',
      value: {
        action: { type: 'ascii', value: 'transfer' },
        amount: { type: 'uint', value: '1000' },
        memo: { type: 'some', value: { type: 'buffer', value: 'cafe' } },
      },
    };
    const signature = signStructuredData({
      domain: sip018DomainValue(domain),
      message: Cl.tuple({
        action: Cl.stringAscii('transfer'),
        amount: Cl.uint(1000),
        memo: Cl.some(Cl.bufferFromHex('cafe')),
      }),
      privateKey: PAYER_KEY,
    });
    const body = { domain, message, signature, address: PAYER };
    expect(await paidVerify(app, body, 0n)).toMatchObject({
      valid: true,
      publicKey: privateKeyToPublic(PAYER_KEY),
      address: PAYER,
      addressMatches: true,
    });
    const tampered = {
      ...message,
      value: { ...message.value, amount: { type: 'uint', value: '1001' } },
    };
    expect(await paidVerify(app, { ...body, message: tampered }, 1n)).toMatchObject({
      valid: false,
      addressMatches: false,
    });
    const { address: _address, ...withoutAddress } = body;
    const otherKey = { ...withoutAddress, publicKey: privateKeyToPublic(OTHER_KEY) };
    expect(await paidVerify(app, otherKey, 2n)).toMatchObject({
      valid: false,
      publicKey: privateKeyToPublic(PAYER_KEY),
    });
  });

  it('verifies a message given as /stacks/decode/clarity answers it (the JSON output form, repr included)', async () => {
    const app = testApp([decodeClarityRoute, verifySip018Route]);
    const domain = { name: 'x402 Stacks API', version: '2', chainId: 2147483648 };
    const value = Cl.tuple({
      amount: Cl.uint(1000),
      memo: Cl.none(),
      paid: Cl.bool(true),
      to: Cl.contractPrincipal(SIP_ADDRESS, 'vault'),
    });
    const hex = `0x${bytesToHex(serializeCVBytes(value))}`;
    const decoded = await payFor(app, '/stacks/decode/clarity', {
      body: { hex },
      payment: { nonce: 0n },
    });
    const answer = await decoded.json();
    expect(answer).toMatchObject({
      value: { memo: { type: 'none', value: null }, paid: { type: 'true', value: true } },
    });
    const signature = signStructuredData({
      domain: sip018DomainValue(domain),
      message: value,
      privateKey: PAYER_KEY,
    });
    const body = { domain, message: answer, signature, address: PAYER };
    expect(await paidVerify(app, body, 1n)).toMatchObject({
      valid: true,
      serializedMessage: hex.slice(2),
    });
    const { repr: _repr, ...json } = answer as Record<string, unknown>;
    expect(await paidVerify(app, { ...body, message: json }, 2n)).toMatchObject({ valid: true });
  });

  it('a Stacks signed-message signature of the same text is not a SIP-018 signature', async () => {
    const app = testApp([verifySip018Route]);
    const plain = signMessageHashRsv({
      messageHash: bytesToHex(hashStacksMessage(utf8ToBytes('Hello World'))),
      privateKey: PAYER_KEY,
    });
    const body = { domain: DAPP, message: HELLO_JSON, signature: plain, address: PAYER };
    expect(await paidVerify(app, body, 0n)).toMatchObject({ valid: false, addressMatches: false });
  });
});

describe('POST /stacks/verify/sip018 input validation (free 400, before any 402)', () => {
  const base = { domain: TEST_APP, message: HELLO_JSON, signature: SIP_SIGNATURE };
  it.each([
    [{ ...base, domain: { ...TEST_APP, name: 'Tëst App' } }, 'invalid_domain'],
    [{ ...base, domain: { ...TEST_APP, version: '1.0\u0000' } }, 'invalid_domain'],
    [{ ...base, domain: { ...TEST_APP, chainId: 0 } }, 'invalid_domain'],
    [{ ...base, domain: { ...TEST_APP, chainId: 1.5 } }, 'invalid_domain'],
    [{ ...base, domain: { ...TEST_APP, chainId: 2 ** 32 } }, 'invalid_domain'],
    [{ ...base, domain: { ...TEST_APP, chainId: '1' } }, 'invalid_request'],
    [{ ...base, domain: { name: 'Test App', chainId: 1 } }, 'invalid_request'],
    [{ ...base, domain: { ...TEST_APP, salt: 'x' } }, 'invalid_request'],
    [{ ...base, message: { type: 'string', value: 'Hello World' } }, 'invalid_clarity_value'],
    [{ ...base, message: { type: 'uint', value: '-1' } }, 'invalid_clarity_value'],
    [{ ...base, message: `${HELLO_HEX}00` }, 'invalid_clarity_value'],
    [{ ...base, message: { ...HELLO_JSON, repr: '"Bye"' } }, 'invalid_clarity_value'],
    [{ ...base, message: { type: 'true', value: false } }, 'invalid_clarity_value'],
    [{ ...base, message: 'Hello World' }, 'invalid_clarity_value'],
    [{ ...base, message: 42 }, 'invalid_request'],
    [{ ...base, signature: SIP_SIGNATURE.slice(2) }, 'invalid_signature'],
    [{ ...base, publicKey: '04' }, 'invalid_public_key'],
    [{ ...base, address: 'SP000000000000000000002Q6VF78.pox' }, 'invalid_address'],
    [{ ...base, publicKey: SIP_KEY, address: SIP_ADDRESS }, 'invalid_request'],
  ])('%j is a 400 %s', async (body, code) => {
    const app = testApp([verifySip018Route]);
    await expectFreeRejection(app, await app.post(PATH, body), code);
  });

  it('says where a Clarity value is wrong', async () => {
    const { post } = testApp([verifySip018Route]);
    const message = { type: 'tuple', value: { amount: { type: 'uint', value: '-1' } } };
    expect(await (await post(PATH, { ...base, message })).json()).toEqual({
      code: 'invalid_clarity_value',
      message:
        'The request is invalid (nothing was charged): message: message.value.amount: -1 is out of range for a Clarity uint (128 bits).',
      issues: [
        {
          path: 'message',
          message: 'message.value.amount: -1 is out of range for a Clarity uint (128 bits)',
          code: 'invalid_clarity_value',
        },
      ],
    });
  });
});
