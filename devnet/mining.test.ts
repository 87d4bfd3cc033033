/**
 * Transactions through the devnet over real HTTP, mined on a 200 ms block timer: they go
 * `pending` -> a final status with a block height, and move exactly what they say (or nothing).
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
  waitForFinalStatus,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 200 });

describe('STX token transfer', () => {
  it('goes pending, then success in a block, and moves exactly the amount plus the fee', async () => {
    const sender = account(devnet, 'wallet_1');
    const recipient = account(devnet, 'wallet_2');
    const tx = await stxTransfer(sender, recipient.address, {
      amount: 1_234_567n,
      fee: 300n,
      nonce: 0n,
      memo: 'x402',
    });

    const broadcast = await postTransaction(devnet, tx.serializeBytes());
    expect(broadcast).toEqual({ status: 200, body: tx.txid() });
    const pending = await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      tx_id: `0x${tx.txid()}`,
      tx_status: 'pending',
      tx_type: 'token_transfer',
      sender_address: sender.address,
      nonce: 0,
      fee_rate: '300',
      token_transfer: {
        recipient_address: recipient.address,
        amount: '1234567',
        memo: `0x${Buffer.from('x402').toString('hex').padEnd(68, '0')}`,
      },
    });
    expect(pending.body).not.toHaveProperty('block_height');

    const mined = await waitForFinalStatus(devnet, tx.txid());
    expect(mined).toMatchObject({
      tx_status: 'success',
      tx_result: { hex: '0x0703', repr: '(ok true)' },
    });
    expect(mined.block_height).toBe(devnet.chain.transaction(tx.txid())?.mined?.block.height);
    expect(mined.block_height).toBeGreaterThanOrEqual(1);

    expect(await holdings(devnet, sender.address)).toMatchObject({
      stx: GENESIS_BALANCES.STX - 1_234_567n - 300n,
      nonce: 1,
    });
    expect((await holdings(devnet, recipient.address)).stx).toBe(GENESIS_BALANCES.STX + 1_234_567n);
  });

  it('accepts the JSON body broadcastTransaction sends, and answers with the bare txid', async () => {
    const sender = account(devnet, 'wallet_3');
    const tx = await stxTransfer(sender, account(devnet, 'wallet_4').address, {
      amount: 10n,
      fee: 180n,
      nonce: 0n,
    });
    const result = await broadcastTransaction({ transaction: tx, client: { baseUrl: devnet.url } });
    expect(result).toEqual({ txid: tx.txid() });
    expect(await waitForFinalStatus(devnet, tx.txid())).toMatchObject({ tx_status: 'success' });
    expect((await holdings(devnet, sender.address)).stx).toBe(GENESIS_BALANCES.STX - 10n - 180n);
  });

  it('mines an account’s transactions in nonce order, whatever order they arrive in', async () => {
    const sender = account(devnet, 'wallet_5');
    const to = account(devnet, 'wallet_6').address;
    const second = await stxTransfer(sender, to, { amount: 2n, fee: 200n, nonce: 1n });
    const first = await stxTransfer(sender, to, { amount: 1n, fee: 200n, nonce: 0n });
    expect((await postTransaction(devnet, second.serializeBytes())).status).toBe(200);
    expect((await postTransaction(devnet, first.serializeBytes())).status).toBe(200);
    const [minedFirst, minedSecond] = [
      await waitForFinalStatus(devnet, first.txid()),
      await waitForFinalStatus(devnet, second.txid()),
    ];
    expect(minedFirst.tx_status).toBe('success');
    expect(minedSecond.tx_status).toBe('success');
    const order = (record: Record<string, unknown>) =>
      [record.block_height, record.tx_index] as [number, number];
    const [h1, i1] = order(minedFirst);
    const [h2, i2] = order(minedSecond);
    expect(h1 < h2 || (h1 === h2 && i1 < i2)).toBe(true);
    expect(await holdings(devnet, sender.address)).toMatchObject({
      stx: GENESIS_BALANCES.STX - 3n - 400n,
      nonce: 2,
    });
  });
});

describe.each(['sBTC', 'USDCx'] as const)(
  '%s SIP-010 transfer with a deny-mode post-condition',
  (type) => {
    const token = devnetToken(type);

    it('moves exactly the amount, charges the fee in STX and prints the memo', async () => {
      const sender = account(devnet, type === 'sBTC' ? 'wallet_7' : 'wallet_8');
      const recipient = account(devnet, 'deployer');
      const before = await holdings(devnet, recipient.address);
      const memo = Uint8Array.from(Buffer.from('pay_0123456789abcdef', 'utf8'));
      const tx = await sip010Transfer(token, sender, recipient.address, {
        amount: 4_321n,
        fee: 1_000n,
        nonce: 0n,
        memo,
      });

      expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
        status: 200,
        body: tx.txid(),
      });
      const mined = await waitForFinalStatus(devnet, tx.txid());
      expect(mined).toMatchObject({
        tx_status: 'success',
        tx_type: 'contract_call',
        tx_result: { repr: '(ok true)' },
        post_condition_mode: 'deny',
        post_conditions: [
          {
            type: 'fungible',
            condition_code: 'sent_equal_to',
            amount: '4321',
            principal: { type_id: 'principal_standard', address: sender.address },
            asset: {
              contract_address: token.deployer,
              contract_name: token.contractName,
              asset_name: token.assetId.split('::')[1],
            },
          },
        ],
        contract_call: {
          contract_id: token.contractId,
          function_name: 'transfer',
          function_args: [
            { repr: 'u4321', name: 'amount', type: 'uint' },
            { repr: `'${sender.address}`, name: 'sender', type: 'principal' },
            { repr: `'${recipient.address}`, name: 'recipient', type: 'principal' },
            {
              repr: `(some 0x${Buffer.from(memo).toString('hex')})`,
              name: 'memo',
              type: '(optional (buff 34))',
            },
          ],
        },
        events: [
          {
            event_type: 'fungible_token_asset',
            asset: {
              asset_event_type: 'transfer',
              asset_id: token.assetId,
              sender: sender.address,
              recipient: recipient.address,
              amount: '4321',
            },
          },
          {
            event_type: 'smart_contract_log',
            contract_log: {
              contract_id: token.contractId,
              topic: 'print',
              value: { repr: `0x${Buffer.from(memo).toString('hex')}` },
            },
          },
        ],
      });

      const after = await holdings(devnet, sender.address);
      expect(after.stx).toBe(GENESIS_BALANCES.STX - 1_000n);
      expect(after.fungible[token.assetId]).toBe(GENESIS_BALANCES[type] - 4_321n);
      expect((await holdings(devnet, recipient.address)).fungible[token.assetId]).toBe(
        before.fungible[token.assetId] + 4_321n,
      );
    });
  },
);
