/**
 * Transactions in the Hiro Stacks API's JSON shape (`GET /extended/v1/tx/{txid}`): the fields
 * clients read (status, result, block, payload, post-conditions) spelled as that API spells them.
 */
import type { ClarityEvent } from '@stacks/clarinet-sdk';
import type { ClarityValue, PostCondition } from '@stacks/transactions';
import { clarityRepr } from '../src/stacks/clarity/format.ts';
import type { DevnetChain, TxRecord } from './chain.ts';
import { abiTypeString, functionSignature, hiroClarityValue } from './clarity-values.ts';
import type { DecodedTx } from './decoded-tx.ts';

type Json = Record<string, unknown>;

const ANCHOR_MODES: Record<number, string> = {
  1: 'on_chain_only',
  2: 'off_chain_only',
  3: 'any',
};

const CONDITION_CODES: Record<string, string> = {
  eq: 'sent_equal_to',
  gt: 'sent_greater_than',
  gte: 'sent_greater_than_or_equal_to',
  lt: 'sent_less_than',
  lte: 'sent_less_than_or_equal_to',
  sent: 'sent',
  'not-sent': 'not_sent',
  'maybe-sent': 'maybe_sent',
};

export function txJson(record: TxRecord, chain: DevnetChain): Json {
  const { tx } = record;
  const json: Json = {
    tx_id: `0x${tx.txid}`,
    nonce: Number(tx.nonce),
    fee_rate: tx.fee.toString(),
    sender_address: tx.origin,
    sponsored: tx.sponsor !== undefined,
    ...(tx.sponsor !== undefined
      ? { sponsor_address: tx.sponsor, sponsor_nonce: Number(tx.sponsorNonce) }
      : {}),
    post_condition_mode: tx.postConditionMode,
    post_conditions: tx.postConditions.map(postConditionJson),
    anchor_mode: ANCHOR_MODES[tx.wire.anchorMode] ?? 'any',
    tx_status: record.status,
    ...payloadJson(tx, chain),
  };
  const mined = record.mined;
  if (!mined) {
    const receipt = Math.floor(record.receivedAt / 1000);
    return {
      ...json,
      receipt_time: receipt,
      receipt_time_iso: isoTime(receipt),
      ...(record.status === 'dropped_replace_by_fee'
        ? { replaced_by_tx_id: record.replacedBy ? `0x${record.replacedBy}` : null }
        : {}),
    };
  }
  const { block } = mined;
  const parent = chain.blockAt(block.height - 1);
  return {
    ...json,
    block_hash: `0x${block.hash}`,
    block_height: block.height,
    block_time: block.time,
    block_time_iso: isoTime(block.time),
    burn_block_height: block.height,
    burn_block_time: block.time,
    burn_block_time_iso: isoTime(block.time),
    parent_block_hash: `0x${block.parentHash}`,
    parent_burn_block_time: parent?.time ?? block.time,
    parent_burn_block_time_iso: isoTime(parent?.time ?? block.time),
    canonical: true,
    tx_index: mined.txIndex,
    tx_result: hiroClarityValue(mined.result),
    vm_error: mined.vmError ?? null,
    is_unanchored: false,
    microblock_hash: '0x',
    microblock_sequence: 2147483647,
    microblock_canonical: true,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
    event_count: mined.events.length,
    events: mined.events.map((event, index) => eventJson(event, index, tx)),
  };
}

function payloadJson(tx: DecodedTx, chain: DevnetChain): Json {
  const { payload } = tx;
  switch (payload.type) {
    case 'token_transfer':
      return {
        tx_type: 'token_transfer',
        token_transfer: {
          recipient_address: payload.recipient,
          amount: payload.amount.toString(),
          memo: payload.memoHex,
        },
      };
    case 'contract_call': {
      const fn = chain
        .contractInterface(payload.contractId)
        ?.functions.find((candidate) => candidate.name === payload.functionName);
      return {
        tx_type: 'contract_call',
        contract_call: {
          contract_id: payload.contractId,
          function_name: payload.functionName,
          ...(fn ? { function_signature: functionSignature(fn) } : {}),
          function_args: payload.args.map((arg: ClarityValue, index: number) => ({
            ...hiroClarityValue(arg),
            name: fn?.args[index]?.name ?? '',
            type: fn?.args[index] ? abiTypeString(fn.args[index].type) : '',
          })),
        },
      };
    }
    default:
      return { tx_type: payload.type };
  }
}

function postConditionJson(condition: PostCondition): Json {
  const principal =
    condition.address === 'origin'
      ? { type_id: 'principal_origin' }
      : condition.address.includes('.')
        ? {
            type_id: 'principal_contract',
            address: condition.address.split('.')[0],
            contract_name: condition.address.split('.')[1],
          }
        : { type_id: 'principal_standard', address: condition.address };
  const code = CONDITION_CODES[condition.condition] ?? condition.condition;
  switch (condition.type) {
    case 'stx-postcondition':
      return { type: 'stx', condition_code: code, amount: String(condition.amount), principal };
    case 'ft-postcondition':
      return {
        type: 'fungible',
        condition_code: code,
        amount: String(condition.amount),
        principal,
        asset: assetJson(condition.asset),
      };
    case 'nft-postcondition':
      return {
        type: 'non_fungible',
        condition_code: code,
        principal,
        asset: assetJson(condition.asset),
        asset_value: hiroClarityValue(condition.assetId),
      };
    case 'staking-postcondition':
      return { type: 'staking', condition_code: code, amount: String(condition.amount), principal };
    case 'pox-postcondition':
      return { type: 'pox', condition_code: condition.condition, principal };
  }
}

function assetJson(assetId: string): Json {
  const [contractId, assetName] = assetId.split('::');
  const [contractAddress, contractName] = contractId.split('.');
  return { asset_name: assetName, contract_address: contractAddress, contract_name: contractName };
}

function eventJson(event: ClarityEvent, index: number, tx: DecodedTx): Json {
  const base = { event_index: index, tx_id: `0x${tx.txid}` };
  // The simnet's STX transfer takes no memo; a token-transfer's memo is the transaction's.
  const memo = tx.payload.type === 'token_transfer' ? tx.payload.memoHex : '';
  const { data } = event;
  const [kind, action] = event.event.replace(/_event$/, '').split('_');
  const value = () => ({ hex: data.raw_value, repr: clarityRepr(data.value as ClarityValue) });
  switch (kind) {
    case 'stx':
      return {
        ...base,
        event_type: 'stx_asset',
        asset: {
          asset_event_type: action,
          sender: data.sender ?? '',
          recipient: data.recipient ?? '',
          amount: data.amount,
          ...(action === 'transfer' ? { memo } : {}),
        },
      };
    case 'ft':
      return {
        ...base,
        event_type: 'fungible_token_asset',
        asset: {
          asset_event_type: action,
          asset_id: data.asset_identifier,
          sender: data.sender ?? '',
          recipient: data.recipient ?? '',
          amount: data.amount,
        },
      };
    case 'nft':
      return {
        ...base,
        event_type: 'non_fungible_token_asset',
        asset: {
          asset_event_type: action,
          asset_id: data.asset_identifier,
          sender: data.sender ?? '',
          recipient: data.recipient ?? '',
          value: value(),
        },
      };
    default:
      return {
        ...base,
        event_type: 'smart_contract_log',
        contract_log: { contract_id: data.contract_identifier, topic: data.topic, value: value() },
      };
  }
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
