/**
 * The devnet facilitator as a sponsor relay: `/settle` completes a sponsored payment with its
 * sponsor account's signature, nonce and fee, so the payer pays the token only; without a sponsor
 * account, a sponsored payment is refused as a facilitator that does not sponsor refuses it.
 */
import { describe, expect, it } from 'vitest';
import { FACILITATOR_SPONSOR_FEE } from './facilitator-sponsor.ts';
import {
  account,
  devnetForTests,
  devnetRequirements,
  devnetToken,
  facilitatorBody,
  holdings,
  postJson,
  tokenTransferCall,
  waitForFinalStatus,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 100, facilitatorSponsor: 'faucet' });
const token = devnetToken('sBTC');

async function sponsoredPayment(payerName: 'wallet_1' | 'wallet_2', amount: bigint) {
  const payer = account(devnet, payerName);
  const payTo = account(devnet, 'wallet_8').address;
  const tx = await tokenTransferCall(token, payer.privateKey, {
    amount,
    from: payer.address,
    to: payTo,
    fee: 0n,
    nonce: BigInt((await holdings(devnet, payer.address)).nonce),
    postConditionMode: 'allow',
    sponsored: true,
  });
  return { payer, payTo, tx, body: facilitatorBody(tx, devnetRequirements(token, amount, payTo)) };
}

describe('POST /settle with a sponsor account', () => {
  it('sponsors a sponsored payment: the payer pays the token, the sponsor the fee', async () => {
    const { payer, payTo, tx, body } = await sponsoredPayment('wallet_1', 5n);
    const sponsor = account(devnet, 'faucet');
    const read = async () => [
      await holdings(devnet, payer.address),
      await holdings(devnet, sponsor.address),
      await holdings(devnet, payTo),
    ];
    const [payerBefore, sponsorBefore, payToBefore] = await read();
    expect((await postJson(devnet, '/verify', body)).body).toEqual({
      isValid: true,
      payer: payer.address,
    });
    const settled = await postJson<{ success: boolean; transaction: string; payer: string }>(
      devnet,
      '/settle',
      body,
    );
    expect(settled.body).toMatchObject({ success: true, payer: payer.address });
    // The settled transaction is the sponsored one: another txid than the payer's bytes.
    expect(settled.body.transaction).not.toBe(`0x${tx.txid()}`);
    const final = await waitForFinalStatus(devnet, settled.body.transaction.slice(2));
    expect(final).toMatchObject({
      tx_status: 'success',
      sponsored: true,
      sponsor_address: sponsor.address,
      sponsor_nonce: sponsorBefore.nonce,
      fee_rate: FACILITATOR_SPONSOR_FEE.toString(),
    });
    const [payerAfter, sponsorAfter, payToAfter] = await read();
    expect(payerAfter.stx).toBe(payerBefore.stx);
    expect(payerAfter.fungible[token.assetId]).toBe(payerBefore.fungible[token.assetId] - 5n);
    expect(sponsorAfter.stx).toBe(sponsorBefore.stx - FACILITATOR_SPONSOR_FEE);
    expect(payToAfter.fungible[token.assetId]).toBe(payToBefore.fungible[token.assetId] + 5n);
  });

  it('still refuses a sponsored payment that fails verification', async () => {
    const { body } = await sponsoredPayment('wallet_2', 5n);
    const underpaid = {
      ...body,
      paymentRequirements: { ...body.paymentRequirements, amount: '6' },
    };
    underpaid.paymentPayload = {
      ...underpaid.paymentPayload,
      accepted: underpaid.paymentRequirements,
    };
    expect((await postJson(devnet, '/settle', underpaid)).body).toMatchObject({
      success: false,
      errorReason: 'amount_insufficient',
    });
  });
});
