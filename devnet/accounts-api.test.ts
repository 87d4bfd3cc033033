/**
 * The read endpoints the Worker and its clients use: node accounts and info, Hiro nonces,
 * transaction lookup, and the JSON errors for bad input (balances: balances-api.test.ts). Blocks
 * are mined on demand.
 */
import { describe, expect, it } from 'vitest';
import { account, devnetForTests, getJson, postTransaction, stxTransfer } from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

describe('GET /v2/accounts/{principal}', () => {
  it('reports a funded account as the node does: u128 hex balance and the nonce', async () => {
    const deployer = account(devnet, 'deployer');
    expect(await getJson(devnet, `/v2/accounts/${deployer.address}`)).toEqual({
      status: 200,
      body: {
        balance: '0x000000000000000000005af3107a4000',
        locked: '0x00000000000000000000000000000000',
        unlock_height: 0,
        nonce: 0,
        balance_proof: '',
        nonce_proof: '',
      },
    });
    expect((await getJson(devnet, `/v2/accounts/${deployer.address}?proof=0`)).body).toEqual({
      balance: '0x000000000000000000005af3107a4000',
      locked: '0x00000000000000000000000000000000',
      unlock_height: 0,
      nonce: 0,
    });
  });

  it('reports an address the chain never saw as empty', async () => {
    const unknown = 'ST3J2GVMMM2R07ZFBJDWTYEYAR8FZH5WKDTFJ9AHA';
    expect((await getJson(devnet, `/v2/accounts/${unknown}?proof=0`)).body).toEqual({
      balance: '0x00000000000000000000000000000000',
      locked: '0x00000000000000000000000000000000',
      unlock_height: 0,
      nonce: 0,
    });
  });
});

describe('GET /extended/v1/address/{principal}/nonces', () => {
  it('tracks executed and pending nonces, and the gaps between them', async () => {
    const sender = account(devnet, 'wallet_5');
    const to = account(devnet, 'wallet_4').address;
    const path = `/extended/v1/address/${sender.address}/nonces`;
    expect((await getJson(devnet, path)).body).toEqual({
      last_mempool_tx_nonce: null,
      last_executed_tx_nonce: null,
      possible_next_nonce: 0,
      detected_missing_nonces: [],
      detected_mempool_nonces: [],
    });

    const transfer = (nonce: bigint) => stxTransfer(sender, to, { amount: 1n, fee: 200n, nonce });
    const txs = {
      0: await transfer(0n),
      1: await transfer(1n),
      2: await transfer(2n),
      4: await transfer(4n),
    };
    for (const tx of [txs[0], txs[2], txs[4]]) {
      expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    }
    expect((await getJson(devnet, path)).body).toEqual({
      last_mempool_tx_nonce: 4,
      last_executed_tx_nonce: null,
      possible_next_nonce: 5,
      detected_missing_nonces: [3, 1],
      detected_mempool_nonces: [0, 2, 4],
    });

    // Nonce 0 is mined; 2 and 4 wait for the missing ones.
    await devnet.mineBlock();
    expect((await getJson(devnet, path)).body).toEqual({
      last_mempool_tx_nonce: 4,
      last_executed_tx_nonce: 0,
      possible_next_nonce: 5,
      detected_missing_nonces: [3, 1],
      detected_mempool_nonces: [2, 4],
    });
    expect((await getJson(devnet, `/extended/v1/tx/${txs[2].txid()}`)).body.tx_status).toBe(
      'pending',
    );

    expect((await postTransaction(devnet, txs[1].serializeBytes())).status).toBe(200);
    await devnet.mineBlock();
    expect((await getJson(devnet, path)).body).toEqual({
      last_mempool_tx_nonce: 4,
      last_executed_tx_nonce: 2,
      possible_next_nonce: 5,
      detected_missing_nonces: [3],
      detected_mempool_nonces: [4],
    });
    expect((await getJson(devnet, `/v2/accounts/${sender.address}?proof=0`)).body.nonce).toBe(3);
  });
});

describe('node info and errors', () => {
  it('serves /v2/info for a testnet chain whose tip advances with each block', async () => {
    const before = await getJson(devnet, '/v2/info');
    expect(before.body).toMatchObject({ network_id: 2147483648, parent_network_id: 3669344250 });
    const block = await devnet.mineBlock();
    const after = await getJson(devnet, '/v2/info');
    expect(after.body).toMatchObject({
      stacks_tip_height: block.height,
      burn_block_height: block.height,
      stacks_tip: block.hash,
    });
    expect(block.height).toBe((before.body.stacks_tip_height as number) + 1);
    expect(await getJson(devnet, '/v2/fees/transfer')).toEqual({ status: 200, body: 1 });
  });

  it('mines on POST /devnet/mine', async () => {
    const response = await fetch(`${devnet.url}/devnet/mine`, { method: 'POST' });
    const body = (await response.json()) as { height: number; txids: string[] };
    expect(response.status).toBe(200);
    expect(body.height).toBe(devnet.chain.tip.height);
    expect(body.txids).toEqual([]);
  });

  it('answers an unknown transaction with the Hiro 404, and finds one with or without 0x', async () => {
    const unknown = 'ab'.repeat(32);
    expect(await getJson(devnet, `/extended/v1/tx/0x${unknown}`)).toEqual({
      status: 404,
      body: { error: 'could not find transaction by ID', tx_id: `0x${unknown}` },
    });
    expect((await getJson(devnet, '/extended/v1/tx/0x1234')).status).toBe(400);

    const tx = await stxTransfer(account(devnet, 'wallet_8'), account(devnet, 'wallet_1').address, {
      amount: 5n,
      fee: 180n,
      nonce: 0n,
    });
    await postTransaction(devnet, tx.serializeBytes());
    const bare = await getJson(devnet, `/extended/v1/tx/${tx.txid()}`);
    const prefixed = await getJson(devnet, `/extended/v1/tx/0x${tx.txid().toUpperCase()}`);
    expect(bare.body.tx_id).toBe(`0x${tx.txid()}`);
    expect(prefixed.body).toEqual(bare.body);
  });

  it('answers invalid addresses with 400 and unknown paths with 404, in JSON', async () => {
    for (const path of [
      '/v2/accounts/not-an-address',
      '/extended/v1/address/ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGN/balances',
      '/extended/v1/address/nope/nonces',
    ]) {
      const result = await getJson(devnet, path);
      expect(result.status).toBe(400);
      expect(result.body.error).toMatch(/^invalid STX address "/);
    }
    expect(await getJson(devnet, '/v2/nothing-here')).toEqual({
      status: 404,
      body: { error: 'no route for GET /v2/nothing-here' },
    });
  });
});
