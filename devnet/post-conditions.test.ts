/**
 * Post-conditions and sponsorship as a node enforces them, over real HTTP on a 200 ms block timer:
 * an aborted transaction pays its fee and uses its nonce, and moves nothing else.
 */
import { Pc, sponsorTransaction } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetToken,
  holdings,
  postTransaction,
  sendsExactly,
  sip010Transfer,
  tokenTransferCall,
  waitForFinalStatus,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 200 });

describe('post-conditions', () => {
  it('aborts a transfer whose post-condition does not hold: the fee is paid, no token moves', async () => {
    const token = devnetToken('sBTC');
    const sender = account(devnet, 'wallet_1');
    const recipient = account(devnet, 'wallet_2');
    const [senderBefore, recipientBefore] = [
      await holdings(devnet, sender.address),
      await holdings(devnet, recipient.address),
    ];
    const tx = await sip010Transfer(token, sender, recipient.address, {
      amount: 500n,
      postConditionAmount: 499n,
      fee: 700n,
      nonce: BigInt(senderBefore.nonce),
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    const mined = await waitForFinalStatus(devnet, tx.txid());
    expect(mined).toMatchObject({
      tx_status: 'abort_by_post_condition',
      tx_result: { repr: '(ok true)' },
      event_count: 0,
      events: [],
    });
    expect(await holdings(devnet, sender.address)).toEqual({
      stx: senderBefore.stx - 700n,
      fungible: senderBefore.fungible,
      nonce: senderBefore.nonce + 1,
    });
    expect(await holdings(devnet, recipient.address)).toEqual(recipientBefore);
  });

  it('reports a failed transfer as abort_by_post_condition when its exact-amount condition cannot hold', async () => {
    // stacks-core checks post-conditions even when the call returns (err ...): nothing moved, so
    // "sender sends exactly N" fails. A payer short of tokens sees this status, not abort_by_response.
    const token = devnetToken('USDCx');
    const sender = account(devnet, 'wallet_3');
    const before = await holdings(devnet, sender.address);
    const amount = GENESIS_BALANCES.USDCx + 1n;
    const tx = await sip010Transfer(token, sender, account(devnet, 'wallet_4').address, {
      amount,
      fee: 500n,
      nonce: BigInt(before.nonce),
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({
      tx_status: 'abort_by_post_condition',
      tx_result: { repr: '(err u1)' },
    });
    expect(await holdings(devnet, sender.address)).toEqual({
      ...before,
      stx: before.stx - 500n,
      nonce: before.nonce + 1,
    });
  });

  it('reports abort_by_response when the contract returns err and no condition is violated', async () => {
    const token = devnetToken('sBTC');
    const sender = account(devnet, 'wallet_5');
    const before = await holdings(devnet, sender.address);
    // Allow mode, no conditions: the token's own check (tx-sender must be the sender) refuses.
    const tx = await tokenTransferCall(token, sender.privateKey, {
      amount: 1n,
      from: account(devnet, 'wallet_6').address,
      to: sender.address,
      fee: 400n,
      nonce: BigInt(before.nonce),
      postConditionMode: 'allow',
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({
      tx_status: 'abort_by_response',
      tx_result: { hex: '0x080100000000000000000000000000000004', repr: '(err u4)' },
    });
    expect(await holdings(devnet, sender.address)).toEqual({
      ...before,
      stx: before.stx - 400n,
      nonce: before.nonce + 1,
    });
  });

  it('enforces STX post-conditions on a contract call', async () => {
    // The FT condition holds, but the call moves no STX: "origin sends exactly 1 µSTX" fails.
    const token = devnetToken('sBTC');
    const sender = account(devnet, 'wallet_7');
    const before = await holdings(devnet, sender.address);
    const tx = await tokenTransferCall(token, sender.privateKey, {
      amount: 3n,
      from: sender.address,
      to: account(devnet, 'wallet_8').address,
      fee: 400n,
      nonce: BigInt(before.nonce),
      postConditionMode: 'deny',
      postConditions: [sendsExactly(token, sender.address, 3n), Pc.origin().willSendEq(1n).ustx()],
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({
      tx_status: 'abort_by_post_condition',
    });
    expect(await holdings(devnet, sender.address)).toEqual({
      ...before,
      stx: before.stx - 400n,
      nonce: before.nonce + 1,
    });
  });
});

describe('deny and allow modes', () => {
  const transferWithoutConditions = (mode: 'deny' | 'allow', nonce: number) => {
    const token = devnetToken('USDCx');
    const sender = account(devnet, 'wallet_1');
    return tokenTransferCall(token, sender.privateKey, {
      amount: 25n,
      from: sender.address,
      to: account(devnet, 'wallet_2').address,
      fee: 400n,
      nonce: BigInt(nonce),
      postConditionMode: mode,
    });
  };
  const usdcx = devnetToken('USDCx').assetId;

  it('deny mode aborts a transfer that moves tokens no condition covers', async () => {
    const before = await holdings(devnet, account(devnet, 'wallet_1').address);
    const tx = await transferWithoutConditions('deny', before.nonce);
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({
      tx_status: 'abort_by_post_condition',
      vm_error: `Post-condition check failure: Fungible asset ${usdcx} was moved by ${account(devnet, 'wallet_1').address} but not checked`,
    });
    expect((await holdings(devnet, account(devnet, 'wallet_1').address)).fungible[usdcx]).toBe(
      before.fungible[usdcx],
    );
  });

  it('allow mode lets the same transfer through', async () => {
    const before = await holdings(devnet, account(devnet, 'wallet_1').address);
    const tx = await transferWithoutConditions('allow', before.nonce);
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({ tx_status: 'success' });
    expect(await holdings(devnet, account(devnet, 'wallet_1').address)).toEqual({
      stx: before.stx - 400n,
      fungible: { ...before.fungible, [usdcx]: before.fungible[usdcx] - 25n },
      nonce: before.nonce + 1,
    });
  });
});

describe('sponsored transactions', () => {
  it('charges the fee to the sponsor and the nonce to both', async () => {
    const origin = account(devnet, 'wallet_6');
    const sponsor = account(devnet, 'wallet_8');
    const [originBefore, sponsorBefore] = [
      await holdings(devnet, origin.address),
      await holdings(devnet, sponsor.address),
    ];
    const token = devnetToken('USDCx');
    const unsigned = await tokenTransferCall(token, origin.privateKey, {
      amount: 77n,
      from: origin.address,
      to: sponsor.address,
      fee: 0n,
      nonce: BigInt(originBefore.nonce),
      sponsored: true,
      postConditionMode: 'deny',
      postConditions: [sendsExactly(token, origin.address, 77n)],
    });
    const tx = await sponsorTransaction({
      transaction: unsigned,
      sponsorPrivateKey: sponsor.privateKey,
      fee: 900n,
      sponsorNonce: BigInt(sponsorBefore.nonce),
      network: 'testnet',
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 200,
      body: tx.txid(),
    });
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({
      tx_status: 'success',
      sponsored: true,
      sponsor_address: sponsor.address,
      sender_address: origin.address,
    });
    expect(await holdings(devnet, origin.address)).toEqual({
      stx: originBefore.stx,
      fungible: {
        ...originBefore.fungible,
        [token.assetId]: originBefore.fungible[token.assetId] - 77n,
      },
      nonce: originBefore.nonce + 1,
    });
    expect(await holdings(devnet, sponsor.address)).toEqual({
      stx: sponsorBefore.stx - 900n,
      fungible: {
        ...sponsorBefore.fungible,
        [token.assetId]: sponsorBefore.fungible[token.assetId] + 77n,
      },
      nonce: sponsorBefore.nonce + 1,
    });
  });
});
