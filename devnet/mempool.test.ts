import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import { account, devnetForTests, getJson, postTransaction, stxTransfer } from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

describe('nonces', () => {
  it('refuses a nonce already used on chain: BadNonce, and re-accepts a known txid as is', async () => {
    const sender = account(devnet, 'wallet_2');
    const to = account(devnet, 'wallet_6').address;
    const first = await stxTransfer(sender, to, { amount: 1n, fee: 300n, nonce: 0n });
    expect(await postTransaction(devnet, first.serializeBytes())).toEqual({
      status: 200,
      body: first.txid(),
    });
    // A node answers a transaction it already holds with its txid again.
    expect(await postTransaction(devnet, first.serializeBytes())).toEqual({
      status: 200,
      body: first.txid(),
    });
    await devnet.mineBlock();
    expect((await getJson(devnet, `/extended/v1/tx/${first.txid()}`)).body.tx_status).toBe(
      'success',
    );

    const stale = await stxTransfer(sender, to, { amount: 2n, fee: 300n, nonce: 0n });
    expect(await postTransaction(devnet, stale.serializeBytes())).toEqual({
      status: 400,
      body: {
        error: 'transaction rejected',
        reason: 'BadNonce',
        reason_data: { expected: 1, actual: 0, principal: sender.address, is_origin: true },
        txid: stale.txid(),
      },
    });
  });

  it('refuses a second transaction with a pending nonce unless it pays a higher fee', async () => {
    const sender = account(devnet, 'wallet_3');
    const to = account(devnet, 'wallet_6').address;
    const original = await stxTransfer(sender, to, { amount: 10n, fee: 300n, nonce: 0n });
    expect((await postTransaction(devnet, original.serializeBytes())).status).toBe(200);

    for (const fee of [300n, 250n]) {
      const rival = await stxTransfer(sender, to, { amount: 11n, fee, nonce: 0n });
      expect(await postTransaction(devnet, rival.serializeBytes())).toEqual({
        status: 400,
        body: {
          error: 'transaction rejected',
          reason: 'ConflictingNonceInMempool',
          txid: rival.txid(),
        },
      });
    }

    // stacks-core replaces a pending transaction with the same nonce and a strictly higher fee.
    const replacement = await stxTransfer(sender, to, { amount: 12n, fee: 301n, nonce: 0n });
    expect((await postTransaction(devnet, replacement.serializeBytes())).status).toBe(200);
    expect((await getJson(devnet, `/extended/v1/tx/0x${original.txid()}`)).body).toMatchObject({
      tx_status: 'dropped_replace_by_fee',
      replaced_by_tx_id: `0x${replacement.txid()}`,
    });
    await devnet.mineBlock();
    expect((await getJson(devnet, `/extended/v1/tx/0x${replacement.txid()}`)).body).toMatchObject({
      tx_status: 'success',
      fee_rate: '301',
    });
    const balances = await getJson<{ stx: { balance: string } }>(
      devnet,
      `/extended/v1/address/${sender.address}/balances`,
    );
    expect(balances.body.stx.balance).toBe(String(GENESIS_BALANCES.STX - 12n - 301n));
  });
});
