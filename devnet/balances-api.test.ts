/**
 * The Hiro API's balance endpoints over real HTTP: `/extended/v1/address/{principal}/balances`
 * (STX, fungible tokens, NFTs) and `/stx`, pending and mined, checked against the VM.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetToken,
  getJson,
  postTransaction,
  sip010Transfer,
  stxTransfer,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

const sbtc = devnetToken('sBTC');
const usdcx = devnetToken('USDCx');
/** The STX part of a genesis account's balances, as the API reports it. */
const GENESIS_STX = {
  balance: String(GENESIS_BALANCES.STX),
  estimated_balance: String(GENESIS_BALANCES.STX),
  pending_balance_inbound: '0',
  pending_balance_outbound: '0',
  total_sent: '0',
  total_received: String(GENESIS_BALANCES.STX),
  total_fees_sent: '0',
  total_miner_rewards_received: '0',
  lock_tx_id: '',
  locked: '0',
  lock_height: 0,
  burnchain_lock_height: 0,
  burnchain_unlock_height: 0,
};

describe('GET /extended/v1/address/{principal}/balances', () => {
  it('reports the genesis holdings, then exact totals after a payment', async () => {
    const payer = account(devnet, 'wallet_6');
    const payee = account(devnet, 'wallet_7');
    expect(await getJson(devnet, `/extended/v1/address/${payer.address}/balances`)).toEqual({
      status: 200,
      body: {
        stx: GENESIS_STX,
        fungible_tokens: {
          [sbtc.assetId]: {
            balance: String(GENESIS_BALANCES.sBTC),
            total_sent: '0',
            total_received: String(GENESIS_BALANCES.sBTC),
          },
          [usdcx.assetId]: {
            balance: String(GENESIS_BALANCES.USDCx),
            total_sent: '0',
            total_received: String(GENESIS_BALANCES.USDCx),
          },
        },
        non_fungible_tokens: {},
      },
    });

    const tx = await sip010Transfer(sbtc, payer, payee.address, {
      amount: 1_000n,
      fee: 500n,
      nonce: 0n,
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    // Pending: the balance is unchanged, the estimate already counts the fee.
    const pending = await getJson<{ stx: Record<string, unknown> }>(
      devnet,
      `/extended/v1/address/${payer.address}/balances`,
    );
    expect(pending.body.stx).toEqual({
      ...GENESIS_STX,
      estimated_balance: String(GENESIS_BALANCES.STX - 500n),
      pending_balance_outbound: '500',
    });

    await devnet.mineBlock();
    const after = await getJson(devnet, `/extended/v1/address/${payer.address}/balances`);
    expect(after.body).toEqual({
      stx: {
        ...GENESIS_STX,
        balance: String(GENESIS_BALANCES.STX - 500n),
        estimated_balance: String(GENESIS_BALANCES.STX - 500n),
        total_fees_sent: '500',
      },
      fungible_tokens: {
        [sbtc.assetId]: {
          balance: String(GENESIS_BALANCES.sBTC - 1_000n),
          total_sent: '1000',
          total_received: String(GENESIS_BALANCES.sBTC),
        },
        [usdcx.assetId]: {
          balance: String(GENESIS_BALANCES.USDCx),
          total_sent: '0',
          total_received: String(GENESIS_BALANCES.USDCx),
        },
      },
      non_fungible_tokens: {},
    });
    const received = await getJson<{ fungible_tokens: Record<string, unknown> }>(
      devnet,
      `/extended/v1/address/${payee.address}/balances`,
    );
    expect(received.body.fungible_tokens[sbtc.assetId]).toEqual({
      balance: String(GENESIS_BALANCES.sBTC + 1_000n),
      total_sent: '0',
      total_received: String(GENESIS_BALANCES.sBTC + 1_000n),
    });
    // The VM holds what the API reports.
    expect(devnet.chain.vmBalances(payer.address)).toEqual({
      stx: GENESIS_BALANCES.STX - 500n,
      fungible: new Map([
        [sbtc.assetId, GENESIS_BALANCES.sBTC - 1_000n],
        [usdcx.assetId, GENESIS_BALANCES.USDCx],
      ]),
    });
  });
});

describe('GET /extended/v1/address/{principal}/stx', () => {
  it('reports the STX part of the balances, pending transfers in and out, then the totals', async () => {
    const payer = account(devnet, 'wallet_2');
    const payee = account(devnet, 'wallet_3');
    const stx = async (address: string) =>
      (await getJson(devnet, `/extended/v1/address/${address}/stx`)).body;
    expect(await stx(payer.address)).toEqual(GENESIS_STX);

    const tx = await stxTransfer(payer, payee.address, { amount: 1_000n, fee: 200n, nonce: 0n });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    expect(await stx(payer.address)).toEqual({
      ...GENESIS_STX,
      estimated_balance: String(GENESIS_BALANCES.STX - 1_200n),
      pending_balance_outbound: '1200',
    });
    expect(await stx(payee.address)).toEqual({
      ...GENESIS_STX,
      estimated_balance: String(GENESIS_BALANCES.STX + 1_000n),
      pending_balance_inbound: '1000',
    });

    await devnet.mineBlock();
    expect(await stx(payer.address)).toEqual({
      ...GENESIS_STX,
      balance: String(GENESIS_BALANCES.STX - 1_200n),
      estimated_balance: String(GENESIS_BALANCES.STX - 1_200n),
      total_sent: '1000',
      total_fees_sent: '200',
    });
    expect(await stx(payee.address)).toEqual({
      ...GENESIS_STX,
      balance: String(GENESIS_BALANCES.STX + 1_000n),
      estimated_balance: String(GENESIS_BALANCES.STX + 1_000n),
      total_received: String(GENESIS_BALANCES.STX + 1_000n),
    });
    const { body } = await getJson(devnet, `/extended/v1/address/${payer.address}/balances`);
    expect(body.stx).toEqual(await stx(payer.address));
    expect((await getJson(devnet, '/extended/v1/address/nope/stx')).status).toBe(400);
  });
});
