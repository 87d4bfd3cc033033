/**
 * `GET /stacks/address/{address}`, paid for for real. Every expected pair is derived a second,
 * independent way in the test: from a private key or public keys (getAddressFromPrivateKey,
 * addressFromPublicKeys), or from c32check itself, never from the route's own code. The
 * c32check README's vector (hash160 a46ff888…) gives SP2J6ZY…NRV9EJ7 and ST2J6ZY…QYAC0RQ;
 * ST2J6ZY…QVX8X0G, which looks like its testnet twin, is the SM address's checksum under an ST
 * version: a bad checksum, and so a free 400.
 */
import {
  AddressHashMode,
  AddressVersion,
  addressFromPublicKeys,
  addressToString,
  createStacksPublicKey,
  getAddressFromPrivateKey,
  privateKeyToPublic,
} from '@stacks/transactions';
import { c32address, c32addressDecode } from 'c32check';
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson, signPaymentFor } from '../../../test/worker/support/paid-request';
import { OTHER_KEY, PAYER, PAYER_KEY } from '../../../test/worker/support/payments';
import { stacksAddressRoute } from './address';

const paidLookup = (app: TestApp, path: string, nonce: number) =>
  paidJson(app, path, { payment: { nonce: BigInt(nonce) } });

const README_HASH = 'a46ff88886c2ef9762d970b4d2c63678835bd39d';
const SP = 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7';
const ST = 'ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ';
const SM = 'SM2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQVX8X0G';
const SN = 'SN2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKP6D2ZK9';

const multisig = (version: AddressVersion) =>
  addressToString(
    addressFromPublicKeys(version, AddressHashMode.P2SH, 2, [
      createStacksPublicKey(privateKeyToPublic(PAYER_KEY)),
      createStacksPublicKey(privateKeyToPublic(OTHER_KEY)),
    ]),
  );

describe('the test vectors themselves', () => {
  it('hold by independent derivations', () => {
    expect([22, 26, 20, 21].map((v) => c32address(v, README_HASH))).toEqual([SP, ST, SM, SN]);
    expect(getAddressFromPrivateKey(PAYER_KEY, 'testnet')).toBe(PAYER);
    expect(multisig(AddressVersion.MainnetMultiSig)).toMatch(/^SM/);
    expect(multisig(AddressVersion.TestnetMultiSig)).toMatch(/^SN/);
  });
});

describe('GET /stacks/address/{address} (paid)', () => {
  it('converts single-sig and multi-sig addresses both ways', async () => {
    const app = testApp([stacksAddressRoute]);
    const cases = [
      {
        input: SP,
        mainnet: SP,
        testnet: ST,
        version: 'single-sig',
        versionByte: 22,
        network: 'mainnet',
      },
      {
        input: ST,
        mainnet: SP,
        testnet: ST,
        version: 'single-sig',
        versionByte: 26,
        network: 'testnet',
      },
      {
        input: SM,
        mainnet: SM,
        testnet: SN,
        version: 'multi-sig',
        versionByte: 20,
        network: 'mainnet',
      },
      {
        input: SN,
        mainnet: SM,
        testnet: SN,
        version: 'multi-sig',
        versionByte: 21,
        network: 'testnet',
      },
    ] as const;
    for (const [nonce, expected] of cases.entries()) {
      const target = expected.network === 'mainnet' ? 'testnet' : 'mainnet';
      expect(await paidLookup(app, `/stacks/address/${expected.input}`, nonce)).toEqual({
        ...expected,
        type: 'standard',
        hash160: `0x${README_HASH}`,
        targetNetwork: target,
        converted: expected[target],
      });
    }
  });

  it('converts the devnet wallet and a 2-of-2 multisig derived from their keys', async () => {
    const app = testApp([stacksAddressRoute]);
    const mainnetPayer = getAddressFromPrivateKey(PAYER_KEY, 'mainnet');
    expect(
      await paidLookup(app, `/stacks/address/${PAYER}?targetNetwork=mainnet`, 0),
    ).toMatchObject({
      network: 'testnet',
      version: 'single-sig',
      hash160: '0x7321b74e2b6a7e949e6c4ad313035b1665095017',
      mainnet: mainnetPayer,
      testnet: PAYER,
      targetNetwork: 'mainnet',
      converted: mainnetPayer,
    });
    const sm = multisig(AddressVersion.MainnetMultiSig);
    const sn = multisig(AddressVersion.TestnetMultiSig);
    expect(await paidLookup(app, `/stacks/address/${sn}`, 1)).toMatchObject({
      network: 'testnet',
      version: 'multi-sig',
      mainnet: sm,
      testnet: sn,
      converted: sm,
    });
  });

  it('keeps the contract name of a contract principal, and converts to the same network on request', async () => {
    const app = testApp([stacksAddressRoute]);
    const sbtc = 'SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4';
    const [version, hash] = c32addressDecode(sbtc);
    expect(version).toBe(20);
    const path = `/stacks/address/${sbtc}.sbtc-token?targetNetwork=mainnet`;
    expect(await paidLookup(app, path, 0)).toEqual({
      input: `${sbtc}.sbtc-token`,
      type: 'contract',
      network: 'mainnet',
      version: 'multi-sig',
      versionByte: 20,
      hash160: `0x${hash}`,
      contractName: 'sbtc-token',
      mainnet: `${sbtc}.sbtc-token`,
      testnet: `${c32address(21, hash)}.sbtc-token`,
      targetNetwork: 'mainnet',
      converted: `${sbtc}.sbtc-token`,
    });
  });
});

describe('GET /stacks/address/{address}: invalid input is a free 400, before any 402', () => {
  const longName = `a${'b'.repeat(128)}`;
  it.each([
    [
      'a bad checksum (the look-alike of ST2J6ZY…QYAC0RQ)',
      'ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQVX8X0G',
      'invalid_address',
    ],
    ['one changed character', 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ8', 'invalid_address'],
    ['a character outside c32 (I)', 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJI', 'invalid_address'],
    ['lower case', SP.toLowerCase(), 'invalid_address'],
    ['not starting with S', `X${SP.slice(1)}`, 'invalid_address'],
    ['a truncated address', SP.slice(0, -1), 'invalid_address'],
    ['a valid c32check with version 0', c32address(0, README_HASH), 'invalid_address'],
    ['a contract name starting with a digit', `${SP}.1token`, 'invalid_address'],
    ['an empty contract name', `${SP}.`, 'invalid_address'],
    ['a contract name with a dot', `${SP}.a.b`, 'invalid_address'],
    ['a 129-character contract name', `${SP}.${longName}`, 'invalid_address'],
  ])('%s is a 400 %s', async (_label, address, code) => {
    const app = testApp([stacksAddressRoute]);
    const res = await app.request(`/stacks/address/${address}`);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { code: string; message: string };
    expect(json.code).toBe(code);
    expect(json.message).toMatch(/^The request is invalid \(nothing was charged\): address: /);
    expect(app.settler.settled).toHaveLength(0);
  });

  it('explains a bad checksum, even with a valid payment attached', async () => {
    const app = testApp([stacksAddressRoute]);
    const { header } = await signPaymentFor(app, `/stacks/address/${SP}`);
    const bad = 'ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQVX8X0G';
    const res = await app.request(`/stacks/address/${bad}`, {
      headers: { 'payment-signature': header },
    });
    expect(res.status).toBe(400);
    const message = `${bad} fails its c32check checksum (a typo, or a truncated address)`;
    expect(await res.json()).toEqual({
      code: 'invalid_address',
      message: `The request is invalid (nothing was charged): address: ${message}.`,
      issues: [{ path: 'address', message, code: 'invalid_address' }],
    });
    expect(app.settler.settled).toHaveLength(0);
  });

  it('rejects an unknown targetNetwork as invalid_request', async () => {
    const app = testApp([stacksAddressRoute]);
    const res = await app.request(`/stacks/address/${SP}?targetNetwork=devnet`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_request');
    expect(app.settler.settled).toHaveLength(0);
  });
});
