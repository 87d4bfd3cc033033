/**
 * `GET /extended/v1/tx/0x{txid}` in full, for every transaction type the devnet accepts (STX
 * token-transfer, contract-call), pending and mined, successful and aborted: the Hiro API's fields,
 * `contract_call.function_args` with `hex`, `repr`, `name`, `type`, and `tx_result`.
 */
import { Cl, type StacksTransactionWire } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
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

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

async function broadcastAndRead(tx: StacksTransactionWire) {
  expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
    status: 200,
    body: tx.txid(),
  });
  const record = devnet.chain.transaction(tx.txid());
  const receipt = Math.floor((record?.receivedAt ?? 0) / 1000);
  const pending = (await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).body;
  const block = await devnet.mineBlock();
  const mined = (await getJson(devnet, `/extended/v1/tx/0x${tx.txid()}`)).body;
  const parent = devnet.chain.blockAt(block.height - 1);
  const blockFields = {
    block_hash: `0x${block.hash}`,
    block_height: block.height,
    block_time: block.time,
    block_time_iso: iso(block.time),
    burn_block_height: block.height,
    burn_block_time: block.time,
    burn_block_time_iso: iso(block.time),
    parent_block_hash: `0x${block.parentHash}`,
    parent_burn_block_time: parent?.time,
    parent_burn_block_time_iso: iso(parent?.time ?? 0),
    canonical: true,
    tx_index: 0,
    is_unanchored: false,
    microblock_hash: '0x',
    microblock_sequence: 2147483647,
    microblock_canonical: true,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
  };
  return {
    pending,
    mined,
    receiptFields: { receipt_time: receipt, receipt_time_iso: iso(receipt) },
    blockFields,
  };
}

describe('GET /extended/v1/tx/0x{txid}', () => {
  it('an STX token-transfer, pending then mined', async () => {
    const sender = account(devnet, 'wallet_1');
    const recipient = account(devnet, 'wallet_2').address;
    const tx = await stxTransfer(sender, recipient, {
      amount: 2_500n,
      fee: 180n,
      nonce: 0n,
      memo: 'x402',
    });
    const { pending, mined, receiptFields, blockFields } = await broadcastAndRead(tx);
    const memo = `0x78343032${'00'.repeat(30)}`;
    const common = {
      tx_id: `0x${tx.txid()}`,
      nonce: 0,
      fee_rate: '180',
      sender_address: sender.address,
      sponsored: false,
      post_condition_mode: 'deny',
      post_conditions: [],
      anchor_mode: 'any',
      tx_type: 'token_transfer',
      token_transfer: { recipient_address: recipient, amount: '2500', memo },
    };
    expect(pending).toEqual({ ...common, tx_status: 'pending', ...receiptFields });
    expect(mined).toEqual({
      ...common,
      tx_status: 'success',
      ...blockFields,
      tx_result: { hex: '0x0703', repr: '(ok true)' },
      vm_error: null,
      event_count: 1,
      events: [
        {
          event_index: 0,
          tx_id: `0x${tx.txid()}`,
          event_type: 'stx_asset',
          asset: {
            asset_event_type: 'transfer',
            sender: sender.address,
            recipient,
            amount: '2500',
            memo,
          },
        },
      ],
    });
  });

  it.each([
    ['success', 4_321n, '(ok true)', '0x0703'],
    // More than the sender holds: ft-transfer? fails with u1 and the call aborts.
    ['abort_by_response', 10n ** 12n + 1n, '(err u1)', '0x080100000000000000000000000000000001'],
  ] as const)(
    'a SIP-010 contract-call, pending then mined: %s',
    async (status, amount, repr, hex) => {
      const token = devnetToken('USDCx');
      const sender = account(devnet, status === 'success' ? 'wallet_3' : 'wallet_4');
      const recipient = account(devnet, 'wallet_5').address;
      const sentAmount = status === 'success' ? amount : 0n;
      const tx = await sip010Transfer(token, sender, recipient, {
        amount,
        fee: 700n,
        nonce: 0n,
        // The aborted call moves nothing, which its post-condition must say for the node to
        // report the response (`abort_by_response`) rather than the post-condition.
        postConditionAmount: sentAmount,
      });
      const { pending, mined, receiptFields, blockFields } = await broadcastAndRead(tx);
      const common = {
        tx_id: `0x${tx.txid()}`,
        nonce: 0,
        fee_rate: '700',
        sender_address: sender.address,
        sponsored: false,
        post_condition_mode: 'deny',
        post_conditions: [
          {
            type: 'fungible',
            condition_code: 'sent_equal_to',
            amount: sentAmount.toString(),
            principal: { type_id: 'principal_standard', address: sender.address },
            asset: {
              asset_name: 'usdcx-token',
              contract_address: token.deployer,
              contract_name: token.contractName,
            },
          },
        ],
        anchor_mode: 'any',
        tx_type: 'contract_call',
        contract_call: {
          contract_id: token.contractId,
          function_name: 'transfer',
          function_signature:
            '(define-public (transfer (amount uint) (sender principal) (recipient principal) (memo (optional (buff 34)))))',
          function_args: [
            {
              hex: `0x${Cl.serialize(Cl.uint(amount))}`,
              repr: `u${amount}`,
              name: 'amount',
              type: 'uint',
            },
            {
              hex: `0x${Cl.serialize(Cl.principal(sender.address))}`,
              repr: `'${sender.address}`,
              name: 'sender',
              type: 'principal',
            },
            {
              hex: `0x${Cl.serialize(Cl.principal(recipient))}`,
              repr: `'${recipient}`,
              name: 'recipient',
              type: 'principal',
            },
            { hex: '0x09', repr: 'none', name: 'memo', type: '(optional (buff 34))' },
          ],
        },
      };
      expect(pending).toEqual({ ...common, tx_status: 'pending', ...receiptFields });
      const events =
        status === 'success'
          ? [
              {
                event_index: 0,
                tx_id: `0x${tx.txid()}`,
                event_type: 'fungible_token_asset',
                asset: {
                  asset_event_type: 'transfer',
                  asset_id: token.assetId,
                  sender: sender.address,
                  recipient,
                  amount: amount.toString(),
                },
              },
            ]
          : [];
      expect(mined).toEqual({
        ...common,
        tx_status: status,
        ...blockFields,
        tx_result: { hex, repr },
        vm_error: null,
        event_count: events.length,
        events,
      });
    },
  );
});
