/**
 * The x402 facilitator API over real HTTP: `/supported`, `/verify` (payment checks and the node's
 * admission checks, without admitting), `/settle` (admitted exactly as a broadcast, then mined).
 * Its faults: facilitator-faults.test.ts. Blocks are mined on demand.
 */
import type { StacksTransactionWire } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetRequirements,
  devnetToken,
  facilitatorBody,
  getJson,
  holdings,
  postJson,
  sip010Transfer,
  stxTransfer,
  tokenTransferCall,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

const NETWORK = 'stacks:2147483648';
const sbtc = devnetToken('sBTC');
const usdcx = devnetToken('USDCx');
const payTo = () => account(devnet, 'wallet_8').address;
const txStatus = async (txid: string) =>
  (await getJson(devnet, `/extended/v1/tx/0x${txid}`)).body.tx_status;
const lookupStatus = async (txid: string) =>
  (await getJson(devnet, `/extended/v1/tx/0x${txid}`)).status;

/** The bytes of `tx` with one byte of the signature's r value changed. */
function tamperedSignature(tx: StacksTransactionWire): string {
  // version 1, chain id 4, auth type 1, hash mode 1, signer 20, nonce 8, fee 8, key encoding 1,
  // then the 65-byte signature (recovery id, r, s): byte 50 is inside r.
  const hex = tx.serialize();
  const at = 50 * 2;
  const flipped = (Number.parseInt(hex.slice(at, at + 2), 16) ^ 0xff).toString(16).padStart(2, '0');
  return `0x${hex.slice(0, at)}${flipped}${hex.slice(at + 2)}`;
}

describe('GET /supported', () => {
  it('lists the exact scheme on the devnet network', async () => {
    expect(await getJson(devnet, '/supported')).toEqual({
      status: 200,
      body: {
        kinds: [{ x402Version: 2, scheme: 'exact', network: NETWORK }],
        extensions: [],
        signers: {},
      },
    });
  });
});

describe('POST /verify', () => {
  it('accepts valid STX and sBTC payments without admitting them', async () => {
    const payer = account(devnet, 'wallet_1');
    const stx = await stxTransfer(payer, payTo(), { amount: 1_000n, fee: 300n, nonce: 0n });
    const token = await sip010Transfer(sbtc, payer, payTo(), {
      amount: 500n,
      fee: 400n,
      nonce: 0n,
    });
    for (const [tx, requirements] of [
      [stx, devnetRequirements('STX', 1_000n, payTo())],
      [token, devnetRequirements(sbtc, 500n, payTo())],
    ] as const) {
      expect(await postJson(devnet, '/verify', facilitatorBody(tx, requirements))).toEqual({
        status: 200,
        body: { isValid: true, payer: payer.address },
      });
      expect(await lookupStatus(tx.txid())).toBe(404);
    }
  });

  it('names the first problem with the x402 code, and the payer the transaction claims', async () => {
    const payer = account(devnet, 'wallet_2');
    const other = account(devnet, 'wallet_7').address;
    const tx = await stxTransfer(payer, payTo(), { amount: 1_000n, fee: 300n, nonce: 0n });
    const required = devnetRequirements('STX', 1_000n, payTo());
    const valid = facilitatorBody(tx, required);
    const withRequirements = (requirements: typeof required, body = valid) => ({
      ...body,
      paymentPayload: { ...body.paymentPayload, accepted: requirements },
      paymentRequirements: requirements,
    });
    const withTransaction = (transaction: string) => ({
      ...valid,
      paymentPayload: { ...valid.paymentPayload, payload: { transaction } },
    });
    const notTheSigner = await tokenTransferCall(usdcx, payer.privateKey, {
      amount: 10n,
      from: other,
      to: payTo(),
      fee: 400n,
      nonce: 0n,
    });
    const sbtcPayment = await sip010Transfer(sbtc, payer, payTo(), {
      amount: 10n,
      fee: 400n,
      nonce: 0n,
    });
    const everything = await stxTransfer(payer, payTo(), {
      amount: GENESIS_BALANCES.STX,
      fee: 300n,
      nonce: 0n,
    });
    const cases: Array<[string, unknown, string]> = [
      ['wrong recipient', withRequirements({ ...required, payTo: other }), 'recipient_mismatch'],
      ['underpayment', withRequirements({ ...required, amount: '1001' }), 'amount_insufficient'],
      ['wrong network', withRequirements({ ...required, network: 'stacks:1' }), 'invalid_network'],
      ['tampered signature', withTransaction(tamperedSignature(tx)), 'signature_validation_failed'],
      ['x402 version 1', { ...valid, x402Version: 1 }, 'invalid_x402_version'],
      [
        'another scheme',
        withRequirements({ ...required, scheme: 'upto' as 'exact' }),
        'invalid_scheme',
      ],
      [
        'accepted differs',
        { ...valid, paymentRequirements: { ...required, amount: '999' } },
        'invalid_payment_requirements',
      ],
      [
        'unknown token',
        withRequirements({ ...required, asset: `${usdcx.deployer}.other-token` }),
        'unrecognized_asset',
      ],
      [
        'a token paid for STX',
        withTransaction(`0x${sbtcPayment.serialize()}`),
        'unrecognized_asset',
      ],
      [
        'sender is not the signer',
        facilitatorBody(notTheSigner, devnetRequirements(usdcx, 10n, payTo())),
        'sender_mismatch',
      ],
      ['trailing bytes', withTransaction(`0x${tx.serialize()}00`), 'invalid_payload'],
      [
        'more than the payer holds',
        facilitatorBody(everything, devnetRequirements('STX', 1_000n, payTo())),
        'insufficient_funds',
      ],
    ];
    for (const [name, body, reason] of cases) {
      const result = await postJson(devnet, '/verify', body);
      expect({ name, ...result }).toEqual({
        name,
        status: 200,
        body: { isValid: false, invalidReason: reason, payer: payer.address },
      });
    }
    // A transaction that is not hex names no payer.
    expect(await postJson(devnet, '/verify', withTransaction('0xzz'))).toEqual({
      status: 200,
      body: { isValid: false, invalidReason: 'invalid_payload' },
    });
  });

  it('answers 400 invalid_payload to a body that is not JSON or lacks the fields', async () => {
    const invalid = { status: 400, body: { isValid: false, invalidReason: 'invalid_payload' } };
    expect(await postJson(devnet, '/verify', 'not json')).toEqual(invalid);
    expect(await postJson(devnet, '/verify', { x402Version: 2, paymentPayload: {} })).toEqual(
      invalid,
    );
  });
});

describe('POST /settle', () => {
  it.each([
    ['STX', 'wallet_3'],
    ['sBTC', 'wallet_4'],
    ['USDCx', 'wallet_5'],
  ] as const)(
    'settles a %s payment: in the mempool at once, mined with balances moved exactly',
    async (type, payerName) => {
      const payer = account(devnet, payerName);
      const token = type === 'STX' ? 'STX' : devnetToken(type);
      const amount = 12_345n;
      const fee = 600n;
      const tx =
        token === 'STX'
          ? await stxTransfer(payer, payTo(), { amount, fee, nonce: 0n })
          : await sip010Transfer(token, payer, payTo(), { amount, fee, nonce: 0n });
      const body = facilitatorBody(tx, devnetRequirements(token, amount, payTo()));
      const payerBefore = await holdings(devnet, payer.address);
      const payeeBefore = await holdings(devnet, payTo());

      const settled = {
        status: 200,
        body: {
          success: true,
          payer: payer.address,
          transaction: `0x${tx.txid()}`,
          network: NETWORK,
        },
      };
      expect(await postJson(devnet, '/settle', body)).toEqual(settled);
      expect(await txStatus(tx.txid())).toBe('pending');
      // Settling the same payment again is answered the same way (the node knows the txid).
      expect(await postJson(devnet, '/settle', body)).toEqual(settled);

      await devnet.mineBlock();
      expect(await txStatus(tx.txid())).toBe('success');
      const payerAfter = await holdings(devnet, payer.address);
      const payeeAfter = await holdings(devnet, payTo());
      if (token === 'STX') {
        expect(payerAfter.stx).toBe(payerBefore.stx - amount - fee);
        expect(payeeAfter.stx).toBe(payeeBefore.stx + amount);
      } else {
        expect(payerAfter.stx).toBe(payerBefore.stx - fee);
        expect(payerAfter.fungible[token.assetId]).toBe(
          payerBefore.fungible[token.assetId] - amount,
        );
        expect(payeeAfter.fungible[token.assetId]).toBe(
          payeeBefore.fungible[token.assetId] + amount,
        );
        expect(payeeAfter.stx).toBe(payeeBefore.stx);
      }
      expect(payerAfter.nonce).toBe(1);
    },
  );

  it('refuses with the node’s reason: insufficient funds, stale nonce, conflicting nonce', async () => {
    const payer = account(devnet, 'wallet_6');
    const refused = (tx: StacksTransactionWire, errorReason: string) => ({
      status: 200,
      body: {
        success: false,
        errorReason,
        payer: payer.address,
        transaction: `0x${tx.txid()}`,
        network: NETWORK,
      },
    });
    const settle = (tx: StacksTransactionWire, amount: bigint) =>
      postJson(devnet, '/settle', facilitatorBody(tx, devnetRequirements('STX', amount, payTo())));

    const tooMuch = await stxTransfer(payer, payTo(), {
      amount: GENESIS_BALANCES.STX,
      fee: 300n,
      nonce: 0n,
    });
    expect(await settle(tooMuch, GENESIS_BALANCES.STX)).toEqual(
      refused(tooMuch, 'insufficient_funds'),
    );
    expect(await lookupStatus(tooMuch.txid())).toBe(404);

    const first = await stxTransfer(payer, payTo(), { amount: 10n, fee: 300n, nonce: 0n });
    expect((await settle(first, 10n)).body).toMatchObject({ success: true });
    await devnet.mineBlock();
    const stale = await stxTransfer(payer, payTo(), { amount: 11n, fee: 300n, nonce: 0n });
    expect(await settle(stale, 11n)).toEqual(refused(stale, 'client_bad_nonce'));

    const pending = await stxTransfer(payer, payTo(), { amount: 12n, fee: 300n, nonce: 1n });
    expect((await settle(pending, 12n)).body).toMatchObject({ success: true });
    const rival = await stxTransfer(payer, payTo(), { amount: 13n, fee: 300n, nonce: 1n });
    expect(await settle(rival, 13n)).toEqual(refused(rival, 'conflicting_nonce'));
  });

  it('refuses an invalid payment before the node sees it: no transaction id', async () => {
    const payer = account(devnet, 'wallet_6');
    const tx = await stxTransfer(payer, payTo(), { amount: 5n, fee: 300n, nonce: 2n });
    const body = facilitatorBody(tx, devnetRequirements('STX', 6n, payTo()));
    expect(await postJson(devnet, '/settle', body)).toEqual({
      status: 200,
      body: {
        success: false,
        errorReason: 'amount_insufficient',
        payer: payer.address,
        transaction: '',
        network: NETWORK,
      },
    });
    expect(await postJson(devnet, '/settle', '{"x402Version":2}')).toEqual({
      status: 400,
      body: { success: false, errorReason: 'invalid_payload', transaction: '', network: NETWORK },
    });
  });
});
