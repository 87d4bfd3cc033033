/**
 * `POST /stacks/verify/message`, paid for for real (402, signed STX payment, retry) with exact
 * answers; malformed input is a free 400 with its code before any 402. Vectors: stacks.js
 * (packages/encryption/tests/messageSignature.test.ts) and signatures made here with
 * @stacks/transactions `signMessageHashRsv` and the devnet keys.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { privateKeyToPublic, signMessageHashRsv } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { expectFreeRejection, type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson } from '../../../test/worker/support/paid-request';
import { OTHER_KEY, PAYER, PAYER_KEY } from '../../../test/worker/support/payments';
import { hashStacksMessage } from '../../stacks/signatures/message';
import { verifyMessageRoute } from './verify-message';

const PATH = '/stacks/verify/message';
const PAYER_PUBLIC_KEY = privateKeyToPublic(PAYER_KEY);
const HELLO_HASH = '953a54a2525205a2272ec27770ede65f6687a1e20725203f3198674c10b28f73';
const sign = (text: string, key = PAYER_KEY) =>
  signMessageHashRsv({
    messageHash: bytesToHex(hashStacksMessage(utf8ToBytes(text))),
    privateKey: key,
  });
const HELLO_SIGNATURE = sign('Hello World');

/** Pays for one verification with the given nonce and answers the JSON. */
const paidVerify = (app: TestApp, body: unknown, nonce: bigint) =>
  paidJson(app, PATH, { body, payment: { nonce } });

describe('POST /stacks/verify/message', () => {
  it('verifies a signature for a public key', async () => {
    const app = testApp([verifyMessageRoute]);
    const body = {
      message: 'Hello World',
      signature: HELLO_SIGNATURE,
      publicKey: PAYER_PUBLIC_KEY,
    };
    expect(await paidVerify(app, body, 0n)).toEqual({
      valid: true,
      publicKey: '03cd2cfdbd2ad9332828a7a13ef62cb999e063421c708e863a7ffed71fb61c88c9',
      address: PAYER,
      network: 'testnet',
      messageHash: HELLO_HASH,
    });
    expect(app.settler.settled).toHaveLength(1);
  });

  it('answers valid: false (paid) for another key, a tampered message or a SIP-018 signature', async () => {
    const app = testApp([verifyMessageRoute]);
    const otherKey = privateKeyToPublic(OTHER_KEY);
    expect(
      await paidVerify(
        app,
        { message: 'Hello World', signature: HELLO_SIGNATURE, publicKey: otherKey },
        0n,
      ),
    ).toEqual({
      valid: false,
      publicKey: PAYER_PUBLIC_KEY,
      address: PAYER,
      network: 'testnet',
      messageHash: HELLO_HASH,
    });
    const tampered = await paidVerify(
      app,
      { message: 'Hello World!', signature: HELLO_SIGNATURE, publicKey: PAYER_PUBLIC_KEY },
      1n,
    );
    expect(tampered).toMatchObject({ valid: false });
    expect(tampered).not.toMatchObject({ publicKey: PAYER_PUBLIC_KEY });
    // The SIP-018 document's signature of "Hello World" (string-ascii) by its own key.
    const sip018 = await paidVerify(
      app,
      {
        message: 'Hello World',
        signature:
          '8b94e45701d857c9f1d1d70e8b2ca076045dae4920fb0160be0642a68cd78de072ab527b5c5277a593baeb2a8b657c216b99f7abb5d14af35b4bf12ba6460ba401',
        address: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
      },
      2n,
    );
    expect(sip018).toMatchObject({ valid: false, addressMatches: false });
    expect(app.settler.settled).toHaveLength(3);
  });

  it('compares an address by hash160 and names its network', async () => {
    const app = testApp([verifyMessageRoute]);
    const body = {
      message: 'Hello World',
      signature: `0x${HELLO_SIGNATURE.toUpperCase()}`,
      address: 'SP1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2XG1V316',
    };
    expect(await paidVerify(app, body, 0n)).toEqual({
      valid: true,
      publicKey: PAYER_PUBLIC_KEY,
      address: PAYER,
      network: 'testnet',
      messageHash: HELLO_HASH,
      addressMatches: true,
      addressNetwork: 'mainnet',
    });
  });

  it('recovers the signer of the stacks.js vector when no signer is given', async () => {
    const app = testApp([verifyMessageRoute]);
    const body = {
      message: 'You are saying that you want to perform action XYZ.',
      signature:
        '29ef6d718235e5fc32a1b90dd8fc7fa9403fa1b55c2dce46374570b7f3a4815d0215b8565f29a33ef8132dc0db6b00a5f13d85d6aff5c1171271818b9928928c01',
    };
    expect(await paidVerify(app, body, 0n)).toEqual({
      valid: true,
      publicKey: '024cce41b91566d70ec2ed6eb161c6ef9c277bdc034738318ed06f1d5ba09546d6',
      address: 'STGSJA8EMYDBAJDX6Z4ED8CWW071B6NB97SRAM1E',
      network: 'testnet',
      messageHash: '650ff1a80ea3fab019b383d4385fcc52bb4d1cbce4713f3e95889013be3569a5',
    });
  });

  it('reads hex messages as bytes', async () => {
    const app = testApp([verifyMessageRoute]);
    const body = {
      message: '0x48656c6c6f20576f726c64',
      messageEncoding: 'hex',
      signature: HELLO_SIGNATURE,
      publicKey: PAYER_PUBLIC_KEY,
    };
    expect(await paidVerify(app, body, 0n)).toMatchObject({ valid: true, messageHash: HELLO_HASH });
  });
});

describe('POST /stacks/verify/message input validation (free 400, before any 402)', () => {
  const base = { message: 'Hello World', signature: HELLO_SIGNATURE };
  it.each([
    [{ ...base, signature: HELLO_SIGNATURE.slice(0, 128) }, 'invalid_signature'],
    [{ ...base, signature: `${HELLO_SIGNATURE}00` }, 'invalid_signature'],
    [{ ...base, signature: `${HELLO_SIGNATURE.slice(0, 128)}1b` }, 'invalid_signature'],
    [{ ...base, signature: `${'0'.repeat(64)}${HELLO_SIGNATURE.slice(64)}` }, 'invalid_signature'],
    [{ ...base, signature: 'zz'.repeat(65) }, 'invalid_signature'],
    [{ ...base, publicKey: PAYER_PUBLIC_KEY.slice(2) }, 'invalid_public_key'],
    [{ ...base, publicKey: `02${'00'.repeat(32)}` }, 'invalid_public_key'],
    [{ ...base, address: PAYER.toLowerCase() }, 'invalid_address'],
    [{ ...base, address: `${PAYER}.contract` }, 'invalid_address'],
    [{ ...base, address: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD4' }, 'invalid_address'],
    [{ ...base, publicKey: PAYER_PUBLIC_KEY, address: PAYER }, 'invalid_request'],
    [{ ...base, message: '0xabc', messageEncoding: 'hex' }, 'invalid_hex'],
    [{ ...base, messageEncoding: 'base64' }, 'invalid_request'],
    [{ message: 'Hello World' }, 'invalid_request'],
    [{ ...base, expected: PAYER }, 'invalid_request'],
  ])('%j is a 400 %s', async (body, code) => {
    const app = testApp([verifyMessageRoute]);
    await expectFreeRejection(app, await app.post(PATH, body), code);
  });

  it('says what is wrong with both signers and with a VRS signature', async () => {
    const { post } = testApp([verifyMessageRoute]);
    const both = await post(PATH, { ...base, publicKey: PAYER_PUBLIC_KEY, address: PAYER });
    expect(await both.json()).toEqual({
      code: 'invalid_request',
      message:
        'The request is invalid (nothing was charged): address: give publicKey or address, not both.',
      issues: [
        {
          path: 'address',
          message: 'give publicKey or address, not both',
          code: 'invalid_request',
        },
      ],
    });
    // The same signature in VRS order (recovery id first): its last byte is then 0xea.
    const vrs = `${HELLO_SIGNATURE.slice(-2)}${HELLO_SIGNATURE.slice(0, -2)}`;
    expect(vrs.slice(-2)).toBe('ea');
    const res = await post(PATH, { ...base, signature: vrs });
    expect(await res.json()).toMatchObject({
      code: 'invalid_signature',
      message:
        'The request is invalid (nothing was charged): signature: signature recovery id (its last byte) must be 0 to 3, not 234: send RSV order, recovery id last.',
    });
  });
});
