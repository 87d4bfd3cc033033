/**
 * DESIGN section 4, as an attacker would try it: every check has its own code, and a rejected
 * payment never reaches the settler or the ledger.
 */

import { STACKS_TESTNET } from '@stacks/network';
import {
  Cl,
  deserializeTransaction,
  makeSTXTokenTransfer,
  Pc,
  privateKeyToPublic,
  serializeTransaction,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { encodeBase64Json } from '../../src/payment/header-codec';
import type { TokenType } from '../../src/stacks/tokens';
import { ledgerRows, paymentRequiredOf, testApp } from './support/app';
import { requirementFor } from './support/paid-request';
import {
  buildPayment,
  bytesToHex,
  hexToBytes,
  OTHER,
  OTHER_KEY,
  PAY_TO,
  PAYER,
  PAYER_KEY,
  type PaymentOptions,
  paymentHeader,
  SBTC,
  USDCX,
} from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };

const acceptsFor = (token: TokenType) => requirementFor(testApp(), ROUTE, { body: BODY }, token);

/** Presents `header`; expects a 402 with `code`, nothing settled and nothing in the ledger. */
async function expectRejected(header: string, code: string) {
  const { post, settler } = testApp();
  const res = await post(ROUTE, BODY, { 'payment-signature': header });
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, code: body.code }).toEqual({ status: 402, code });
  expect(paymentRequiredOf(res).error).toBe(code);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(body.hash).toBeUndefined();
  expect(settler.settled).toHaveLength(0);
  expect(await ledgerRows()).toEqual([]);
  return body;
}

async function rejectPayment(options: PaymentOptions, code: string) {
  const token = options.token ?? 'STX';
  return expectRejected(paymentHeader(await buildPayment(options), await acceptsFor(token)), code);
}

describe('the payment header', () => {
  it('rejects malformed base64 and base64 that is not a JSON object', async () => {
    await expectRejected('not base64!', 'invalid_payload');
    await expectRejected(btoa('{"x402Version":'), 'invalid_payload');
    await expectRejected(btoa('[1,2]'), 'invalid_payload');
  });

  it('rejects another x402 version, another scheme and a missing transaction', async () => {
    const accepted = await acceptsFor('STX');
    const hex = serializeTransaction(await buildPayment());
    await expectRejected(
      encodeBase64Json({ x402Version: 1, accepted, payload: { transaction: hex } }),
      'invalid_x402_version',
    );
    await expectRejected(
      encodeBase64Json({
        x402Version: 2,
        accepted: { ...accepted, scheme: 'upto' },
        payload: { transaction: hex },
      }),
      'invalid_scheme',
    );
    await expectRejected(
      encodeBase64Json({ x402Version: 2, accepted, payload: {} }),
      'invalid_payload',
    );
  });

  it('rejects an `accepted` that differs from every requirement in any field', async () => {
    const accepted = await acceptsFor('STX');
    const tx = await buildPayment({ amount: 1n });
    for (const changed of [
      { ...accepted, amount: '1' },
      { ...accepted, payTo: OTHER },
      { ...accepted, network: 'stacks:1' },
      { ...accepted, asset: SBTC },
      { ...accepted, maxTimeoutSeconds: 3600 },
      { ...accepted, extra: { ...accepted.extra, pricingTier: 'free' } },
    ]) {
      await expectRejected(paymentHeader(tx, changed), 'invalid_payment_requirements');
    }
  });
});

describe('the transaction', () => {
  it('rejects bytes that are not a transaction, and oversized ones', async () => {
    const accepted = await acceptsFor('STX');
    await expectRejected(paymentHeader('zz', accepted), 'invalid_transaction');
    await expectRejected(paymentHeader('abc', accepted), 'invalid_transaction');
    await expectRejected(paymentHeader('00'.repeat(100), accepted), 'invalid_transaction');
    await expectRejected(paymentHeader('00'.repeat(5000), accepted), 'transaction_too_large');
  });

  it('rejects trailing bytes after a valid transaction (one payment, many spellings)', async () => {
    const hex = serializeTransaction(await buildPayment());
    await expectRejected(
      paymentHeader(`${hex}00`, await acceptsFor('STX')),
      'non_canonical_transaction',
    );
  });

  it('rejects a transaction for another network: mainnet version and chain id, or chain id alone', async () => {
    await rejectPayment({ network: 'mainnet' }, 'invalid_network');
    const tx = await makeSTXTokenTransfer({
      recipient: PAY_TO,
      amount: 1000n,
      senderKey: PAYER_KEY,
      network: { ...STACKS_TESTNET, chainId: 1, client: { baseUrl: 'http://127.0.0.1:9' } },
      fee: 500n,
      nonce: 0n,
    });
    await expectRejected(paymentHeader(tx, await acceptsFor('STX')), 'invalid_network');
  });

  it('rejects a tampered signature and a payload changed after signing', async () => {
    const bytes = hexToBytes(serializeTransaction(await buildPayment()));
    const accepted = await acceptsFor('STX');
    // Standard single-sig auth: version(1) chain(4) auth(1) hash mode(1) signer(20) nonce(8) fee(8) key encoding(1) signature(65).
    const signatureAt = 44;
    const badSignature = bytes.slice();
    badSignature[signatureAt + 10] ^= 0x01;
    await expectRejected(
      paymentHeader(bytesToHex(badSignature), accepted),
      'signature_validation_failed',
    );
    // Raise the amount (the last 8 bytes before the 34-byte memo) from 1000 to 1001 after signing.
    const tampered = bytes.slice();
    tampered[tampered.length - 34 - 1] += 1;
    expect(deserializeTransaction(bytesToHex(tampered)).payload).toMatchObject({
      amount: 1001n,
    });
    await expectRejected(
      paymentHeader(bytesToHex(tampered), accepted),
      'signature_validation_failed',
    );
  });

  it('rejects the malleated (high-S) twin of a valid signature', async () => {
    const tx = await buildPayment();
    const signature = tx.auth.spendingCondition;
    if (!('signature' in signature)) throw new Error('single-sig expected');
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const recovery = Number.parseInt(signature.signature.data.slice(0, 2), 16);
    const r = signature.signature.data.slice(2, 66);
    const s = BigInt(`0x${signature.signature.data.slice(66)}`);
    signature.signature.data = `${(recovery ^ 1).toString(16).padStart(2, '0')}${r}${(n - s).toString(16).padStart(64, '0')}`;
    // The twin still recovers the payer's key, so only the low-S rule catches it.
    expect(() => tx.verifyOrigin()).not.toThrow();
    await expectRejected(paymentHeader(tx, await acceptsFor('STX')), 'signature_validation_failed');
  });

  it('rejects multi-signature origins and sponsored transactions', async () => {
    const multisig = await makeSTXTokenTransfer({
      recipient: PAY_TO,
      amount: 1000n,
      numSignatures: 1,
      publicKeys: [privateKeyToPublic(PAYER_KEY), privateKeyToPublic(OTHER_KEY)],
      signerKeys: [PAYER_KEY],
      network: 'testnet',
      fee: 500n,
      nonce: 0n,
    });
    await expectRejected(paymentHeader(multisig, await acceptsFor('STX')), 'unsupported_signer');
    await rejectPayment({ sponsored: true }, 'sponsored_not_allowed');
  });

  it('rejects a fee below the relay minimum of 1 microSTX per byte', async () => {
    await rejectPayment({ fee: 1n }, 'fee_too_low');
  });
});

describe('what the transaction pays', () => {
  it('rejects the wrong recipient, for STX and for tokens', async () => {
    await rejectPayment({ recipient: OTHER }, 'recipient_mismatch');
    await rejectPayment({ token: 'sBTC', recipient: OTHER }, 'recipient_mismatch');
  });

  it('rejects underpayment', async () => {
    await rejectPayment({ amount: 999n }, 'amount_insufficient');
    await rejectPayment({ token: 'sBTC', amount: 1n }, 'amount_insufficient');
    await rejectPayment({ token: 'USDCx', amount: 999n }, 'amount_insufficient');
  });

  it('rejects the wrong asset: a token call for STX, STX for a token, another contract', async () => {
    const sbtcCall = await buildPayment({ token: 'sBTC' });
    await expectRejected(paymentHeader(sbtcCall, await acceptsFor('STX')), 'unrecognized_asset');
    await expectRejected(
      paymentHeader(await buildPayment(), await acceptsFor('sBTC')),
      'unrecognized_asset',
    );
    await expectRejected(paymentHeader(sbtcCall, await acceptsFor('USDCx')), 'unrecognized_asset');
    const lookalike = `${SBTC.split('.')[0]}.sbtc-token-v2`;
    await rejectPayment(
      { token: 'sBTC', contract: lookalike, postConditions: [] },
      'unrecognized_asset',
    );
  });

  it('rejects a transfer call of another shape', async () => {
    const args = [Cl.uint(2), Cl.principal(PAYER), Cl.principal(PAY_TO), Cl.none()];
    await rejectPayment({ token: 'sBTC', functionName: 'transfer-many' }, 'invalid_transfer_call');
    await rejectPayment(
      { token: 'sBTC', functionArgs: args.slice(0, 3), postConditions: [] },
      'invalid_transfer_call',
    );
    await rejectPayment(
      { token: 'sBTC', functionArgs: [Cl.int(2), ...args.slice(1)], postConditions: [] },
      'invalid_transfer_call',
    );
    const longMemo = Cl.some(Cl.buffer(new Uint8Array(35)));
    await rejectPayment(
      { token: 'sBTC', functionArgs: [...args.slice(0, 3), longMemo] },
      'invalid_transfer_call',
    );
  });

  it('rejects a sender argument other than the signer, and a contract recipient', async () => {
    const fromOther = [Cl.uint(2), Cl.principal(OTHER), Cl.principal(PAY_TO), Cl.none()];
    await rejectPayment(
      { token: 'sBTC', functionArgs: fromOther, postConditions: [] },
      'sender_mismatch',
    );
    const toContract = [
      Cl.uint(2),
      Cl.principal(PAYER),
      Cl.principal(`${PAY_TO}.vault`),
      Cl.none(),
    ];
    await rejectPayment(
      { token: 'sBTC', functionArgs: toContract, postConditions: [] },
      'recipient_mismatch',
    );
  });
});

describe('post-conditions', () => {
  const exact = (amount: number) => Pc.principal(PAYER).willSendEq(amount).ft(SBTC, 'sbtc-token');

  it('rejects allow mode, extra conditions, inexact amounts, another principal or asset, NFTs', async () => {
    const cases: PaymentOptions['postConditions'][] = [
      [exact(2), exact(2)],
      [Pc.principal(PAYER).willSendGte(2).ft(SBTC, 'sbtc-token')],
      [exact(3)],
      [Pc.principal(OTHER).willSendEq(2).ft(SBTC, 'sbtc-token')],
      [Pc.principal(PAYER).willSendEq(2).ft(USDCX, 'usdcx-token')],
      [Pc.principal(PAYER).willSendEq(2).ustx()],
      [Pc.principal(PAYER).willSendAsset().nft(`${SBTC}::sbtc-token`, Cl.uint(1))],
    ];
    for (const postConditions of cases) {
      await rejectPayment({ token: 'sBTC', postConditions }, 'invalid_post_conditions');
    }
    // Allow mode with the exact condition (or any condition) is refused: allow mode takes none.
    await rejectPayment({ token: 'sBTC', postConditionMode: 'allow' }, 'invalid_post_conditions');
    await rejectPayment(
      {
        token: 'USDCx',
        postConditionMode: 'allow',
        postConditions: [Pc.principal(PAYER).willSendEq(1000).ft(USDCX, 'usdcx-token')],
      },
      'invalid_post_conditions',
    );
    // Deny mode without the condition: the chain would abort the transfer (the fee is spent, the
    // token never moves), so it is no payment.
    await rejectPayment({ token: 'sBTC', postConditions: [] }, 'invalid_post_conditions');
    // Allow mode on an STX transfer: only the pinned token contracts fix their own effect.
    await rejectPayment({ postConditionMode: 'allow' }, 'invalid_post_conditions');
    await rejectPayment(
      { postConditions: [Pc.principal(PAYER).willSendLte(1000).ustx()] },
      'invalid_post_conditions',
    );
    // An STX transfer payment carries no post-condition at all, even the exact one.
    await rejectPayment(
      { postConditions: [Pc.principal(PAYER).willSendEq(1000).ustx()] },
      'invalid_post_conditions',
    );
    await rejectPayment(
      { postConditions: [Pc.principal(PAYER).willSendEq(1000).ft(SBTC, 'sbtc-token')] },
      'invalid_post_conditions',
    );
    await rejectPayment(
      { postConditionMode: 'allow', postConditions: [Pc.principal(PAYER).willSendEq(1000).ustx()] },
      'invalid_post_conditions',
    );
  });

  it('accepts STX with none; tokens with exactly the payer sends the amount, or allow mode with none', async () => {
    const { post, settler } = testApp();
    const cases: [TokenType, PaymentOptions][] = [
      // Allow mode, no post-conditions (as the aibtc MCP tool signs): the contract fixes the effect.
      ['sBTC', { token: 'sBTC', postConditionMode: 'allow', postConditions: [], nonce: 1n }],
      ['STX', { nonce: 2n }],
      ['USDCx', { token: 'USDCx', nonce: 3n }],
      ['USDCx', { token: 'USDCx', postConditionMode: 'allow', postConditions: [], nonce: 4n }],
    ];
    for (const [token, options] of cases) {
      const res = await post(ROUTE, BODY, {
        'payment-signature': paymentHeader(await buildPayment(options), await acceptsFor(token)),
      });
      expect(res.status).toBe(200);
    }
    expect(settler.settled.map((p) => p.token)).toEqual(['sBTC', 'STX', 'USDCx', 'USDCx']);
  });
});
