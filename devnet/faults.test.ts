/**
 * Fault injection: each armed fault produces the unhappy path it names, once, over real HTTP.
 * Blocks are mined on demand so "pending for N blocks" is exact.
 */
import { broadcastTransaction } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetToken,
  getJson,
  holdings,
  postTransaction,
  sip010Transfer,
  stxTransfer,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0, clearFaultsAfterEach: true });

async function armFault(fault: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${devnet.url}/devnet/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  await response.body?.cancel();
  return response.status;
}

const txStatus = async (txid: string) =>
  (await getJson(devnet, `/extended/v1/tx/0x${txid}`)).body.tx_status;

describe('broadcast faults', () => {
  it('rejects the next broadcast with the armed reason, then accepts again', async () => {
    expect(await armFault({ kind: 'reject-broadcast', reason: 'TooMuchChaining' })).toBe(200);
    const sender = account(devnet, 'wallet_1');
    const tx = await stxTransfer(sender, account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 200n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 400,
      body: { error: 'transaction rejected', reason: 'TooMuchChaining', txid: tx.txid() },
    });
    expect((await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).status).toBe(404);
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 200,
      body: tx.txid(),
    });
  });

  it('answers with an HTTP error that is not the node’s JSON, which broadcastTransaction cannot parse', async () => {
    expect(await armFault({ kind: 'broadcast-http-error', status: 503, times: 2 })).toBe(200);
    const tx = await stxTransfer(account(devnet, 'wallet_3'), account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 200n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 503,
      body: 'devnet fault injection: HTTP 503',
    });
    await expect(
      broadcastTransaction({ transaction: tx, client: { baseUrl: devnet.url } }),
    ).rejects.toThrow('Failed to broadcast transaction (unable to parse node response).');
    expect((await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).status).toBe(404);
  });

  it('leaves a broadcast unanswered (the caller times out) without accepting it', async () => {
    expect(await armFault({ kind: 'hang-broadcast' })).toBe(200);
    const tx = await stxTransfer(account(devnet, 'wallet_4'), account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 200n,
      nonce: 0n,
    });
    const hung = fetch(`${devnet.url}/v2/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(tx.serializeBytes()),
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    expect((await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).status).toBe(404);
  });

  it('answers late but accepts the transaction', async () => {
    expect(await armFault({ kind: 'delay-broadcast', ms: 300 })).toBe(200);
    const tx = await stxTransfer(account(devnet, 'wallet_5'), account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 200n,
      nonce: 0n,
    });
    const started = Date.now();
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 200,
      body: tx.txid(),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await txStatus(tx.txid())).toBe('pending');
  });

  it('refuses a malformed fault with 400', async () => {
    expect(await armFault({ kind: 'hold-transaction', blocks: 0 })).toBe(400);
    expect(await armFault({ kind: 'no-such-fault' })).toBe(400);
  });
});

describe('transaction faults', () => {
  it('holds the next transaction pending for the armed number of blocks', async () => {
    expect(await armFault({ kind: 'hold-transaction', blocks: 2 })).toBe(200);
    const tx = await stxTransfer(account(devnet, 'wallet_6'), account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 200n,
      nonce: 0n,
    });
    await postTransaction(devnet, tx.serializeBytes());
    await devnet.mineBlock();
    expect(await txStatus(tx.txid())).toBe('pending');
    await devnet.mineBlock();
    expect(await txStatus(tx.txid())).toBe('pending');
    await devnet.mineBlock();
    expect(await txStatus(tx.txid())).toBe('success');
  });

  it('mines an armed transaction as abort_by_response: the fee is paid, nothing else moves', async () => {
    const token = devnetToken('sBTC');
    const sender = account(devnet, 'wallet_7');
    const tx = await sip010Transfer(token, sender, account(devnet, 'wallet_8').address, {
      amount: 50n,
      fee: 600n,
      nonce: 0n,
    });
    await postTransaction(devnet, tx.serializeBytes());
    expect(await armFault({ kind: 'abort-transaction', txid: `0x${tx.txid()}` })).toBe(200);
    await devnet.mineBlock();
    expect((await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).body).toMatchObject({
      tx_status: 'abort_by_response',
      tx_result: { hex: '0x0809', repr: '(err none)' },
      vm_error: 'devnet fault injection: aborted in block',
    });
    expect(await holdings(devnet, sender.address)).toEqual({
      stx: GENESIS_BALANCES.STX - 600n,
      fungible: {
        [token.assetId]: GENESIS_BALANCES.sBTC,
        [devnetToken('USDCx').assetId]: GENESIS_BALANCES.USDCx,
      },
      nonce: 1,
    });
  });

  it('drops a pending transaction as replaced; its nonce is free again', async () => {
    const sender = account(devnet, 'wallet_8');
    const to = account(devnet, 'wallet_2').address;
    const tx = await stxTransfer(sender, to, { amount: 1n, fee: 200n, nonce: 0n });
    await postTransaction(devnet, tx.serializeBytes());
    expect(await armFault({ kind: 'replace-transaction', txid: tx.txid() })).toBe(200);
    expect((await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).body).toMatchObject({
      tx_status: 'dropped_replace_by_fee',
      replaced_by_tx_id: null,
    });
    expect(await armFault({ kind: 'replace-transaction', txid: tx.txid() })).toBe(404);

    const again = await stxTransfer(sender, to, { amount: 2n, fee: 200n, nonce: 0n });
    expect(await postTransaction(devnet, again.serializeBytes())).toEqual({
      status: 200,
      body: again.txid(),
    });
    await devnet.mineBlock();
    expect(await txStatus(again.txid())).toBe('success');
    expect(await txStatus(tx.txid())).toBe('dropped_replace_by_fee');
  });
});
