/**
 * The `stacks` route group end to end: paid calls to a real `wrangler dev` whose Stacks API is the
 * devnet, answers checked against what the devnet itself reports, and upstream failures never
 * charged.
 */
import {
  Cl,
  makeSTXTokenTransfer,
  serializeCV,
  serializeTransaction,
  signMessageHashRsv,
} from '@stacks/transactions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client, type X402Result } from '../../client';
import { getDevnetAccount } from '../../devnet/accounts';
import { bytesToHex } from '../../src/encoding/hex';
import { hashStacksMessage } from '../../src/stacks/signatures/message';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { balanceOf, nextNonce } from './helpers';

let devnet: RunningProcess;
let worker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  worker = await startWorkerProcess({ vars: { STACKS_API_URL: devnet.url } });
});

afterAll(async () => {
  await worker?.stop();
  await devnet?.stop();
});

async function paidCall(
  path: string,
  init: RequestInit = {},
): Promise<Extract<X402Result, { type: 'response' }>> {
  const payer = await getDevnetAccount('wallet_2');
  const client = createX402Client({
    privateKey: payer.privateKey,
    network: 'testnet',
    stacksApiUrl: devnet.url,
  });
  const result = await client.fetch(`${worker.url}${path}`, init);
  if (result.type !== 'response') throw new Error(`${path}: ${result.type}`);
  return result;
}

describe('the stacks route group on the devnet', () => {
  it('profiles an account with the balances the devnet reports, and its BNS name', async () => {
    const wallet1 = await getDevnetAccount('wallet_1');
    const result = await paidCall(`/stacks/profile/${wallet1.address}`);
    expect(result.status).toBe(200);
    const stx = await balanceOf(devnet.url, wallet1.address, 'STX');
    const sbtc = await balanceOf(devnet.url, wallet1.address, 'sBTC');
    expect(result.body).toMatchObject({
      address: wallet1.address,
      network: 'testnet',
      bnsName: 'wallet1.btc',
      nonce: Number(await nextNonce(devnet.url, wallet1.address)),
      stx: { total: stx.toString(), locked: '0', available: stx.toString(), unlockHeight: 0 },
    });
    expect(
      (result.body as { fungibleTokens: { asset: string; balance: string }[] }).fungibleTokens,
    ).toContainEqual({
      asset: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token::sbtc-token',
      balance: sbtc.toString(),
    });
    expect(result.paymentResponse).toMatchObject({ success: true });
  });

  it('resolves a BNS name, and answers an unknown one 404 without charging', async () => {
    const wallet3 = await getDevnetAccount('wallet_3');
    const named = await paidCall('/stacks/profile/wallet3.btc');
    expect(named.body).toMatchObject({ address: wallet3.address, bnsName: 'wallet3.btc' });

    const payer = await getDevnetAccount('wallet_2');
    const before = await nextNonce(devnet.url, payer.address);
    const unknown = await paidCall('/stacks/profile/nobody.btc');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'name_not_found' });
    expect(unknown.paymentResponse).toBeUndefined();
    // Nothing was broadcast: the payer's next nonce did not move.
    expect(await nextNonce(devnet.url, payer.address)).toBe(before);
  });

  it('looks up a transaction: the payment of an earlier call, as mined', async () => {
    const earlier = await paidCall(
      `/stacks/profile/${(await getDevnetAccount('wallet_4')).address}`,
    );
    const txid = earlier.payment?.txid as string;
    let result = await paidCall(`/stacks/tx/${txid}`);
    for (let i = 0; i < 20 && (result.body as { status: string }).status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      result = await paidCall(`/stacks/tx/${txid}`);
    }
    const payer = await getDevnetAccount('wallet_2');
    expect(result.body).toMatchObject({
      txid,
      status: 'success',
      type: 'token_transfer',
      sender: payer.address,
      fee: earlier.payment?.fee.toString(),
      sponsored: false,
      payload: {
        type: 'token_transfer',
        recipient: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
        amount: '1000',
      },
    });
    expect((result.body as { blockHeight: number }).blockHeight).toBeGreaterThan(0);
  });

  it('reads a contract through call-read: the sBTC balance the devnet holds', async () => {
    const wallet5 = await getDevnetAccount('wallet_5');
    const result = await paidCall('/stacks/contract/call-read', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        contract: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token',
        function: 'get-balance',
        args: [serializeCV(Cl.principal(wallet5.address))],
      }),
    });
    const sbtc = await balanceOf(devnet.url, wallet5.address, 'sBTC');
    expect(result.body).toMatchObject({
      result: {
        type: 'ok',
        repr: `(ok u${sbtc})`,
        value: { type: 'uint', value: sbtc.toString() },
      },
    });
  });

  it('decodes a signed transaction, converts an address and verifies a signed message', async () => {
    const wallet6 = await getDevnetAccount('wallet_6');
    const tx = await makeSTXTokenTransfer({
      recipient: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
      amount: 12_345n,
      memo: 'e2e',
      senderKey: wallet6.privateKey,
      network: 'testnet',
      fee: 300n,
      nonce: 9n,
    });
    const post = (path: string, body: unknown) =>
      paidCall(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const decoded = await post('/stacks/decode/transaction', { hex: serializeTransaction(tx) });
    expect(decoded.body).toMatchObject({
      txid: `0x${tx.txid()}`,
      network: 'testnet',
      sender: wallet6.address,
      nonce: '9',
      fee: '300',
      payload: {
        type: 'token_transfer',
        recipient: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
        amount: '12345',
        memo: 'e2e',
      },
      signatureValid: true,
    });
    const converted = await paidCall(`/stacks/address/${wallet6.address}?targetNetwork=mainnet`);
    expect(converted.body).toMatchObject({
      network: 'testnet',
      converted: 'SP3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ3JJEPMJ',
    });
    const message = 'pay-per-call, no accounts';
    const signature = signMessageHashRsv({
      messageHash: bytesToHex(hashStacksMessage(new TextEncoder().encode(message))),
      privateKey: wallet6.privateKey,
    });
    const verified = await post('/stacks/verify/message', {
      message,
      signature,
      address: wallet6.address,
    });
    expect(verified.body).toMatchObject({
      valid: true,
      address: wallet6.address,
      addressMatches: true,
    });
  });
});
