/**
 * A broadcast transaction, decoded once into what the mempool, the miner and the API need:
 * txid, origin and fee payer, nonces, fee, payload and post-conditions.
 */

import {
  AuthType,
  addressFromVersionHash,
  addressHashModeToVersion,
  addressToString,
  type ClarityValue,
  deserializeTransaction,
  getFee,
  PayloadType,
  type PostCondition,
  PostConditionMode,
  type SpendingCondition,
  type StacksTransactionWire,
  wireToPostCondition,
} from '@stacks/transactions';
import { TRANSACTION_VERSION } from '../src/stacks/tokens.ts';

/** SIP-005: a token-transfer memo is always 34 bytes, and it is the last field of the tx. */
const MEMO_LENGTH = 34;

export type DecodedPayload =
  | { type: 'token_transfer'; recipient: string; amount: bigint; memoHex: string }
  | {
      type: 'contract_call';
      contractAddress: string;
      contractName: string;
      contractId: string;
      functionName: string;
      args: ClarityValue[];
    }
  | { type: 'smart_contract'; contractName: string }
  | { type: 'coinbase' | 'tenure_change' | 'poison_microblock' };

export type PostConditionModeName = 'allow' | 'deny' | 'originator';

export interface DecodedTx {
  /** 64 hex digits, no `0x` (the node's spelling). */
  txid: string;
  wire: StacksTransactionWire;
  /** The canonical serialization (trailing bytes after the transaction are not part of it). */
  bytes: Uint8Array;
  origin: string;
  /** Present when the transaction is sponsored; the sponsor then pays the fee. */
  sponsor?: string;
  payer: string;
  nonce: bigint;
  sponsorNonce?: bigint;
  fee: bigint;
  payload: DecodedPayload;
  postConditionMode: PostConditionModeName;
  postConditions: PostCondition[];
}

export class TransactionDecodeError extends Error {}

export function decodeTransaction(input: Uint8Array): DecodedTx {
  let wire: StacksTransactionWire;
  try {
    wire = deserializeTransaction(input);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TransactionDecodeError(`Failed to deserialize posted transaction: ${detail}`);
  }
  const bytes = wire.serializeBytes();
  const network = wire.transactionVersion === TRANSACTION_VERSION.mainnet ? 'mainnet' : 'testnet';
  const addressOf = (condition: SpendingCondition) =>
    addressToString(
      addressFromVersionHash(
        addressHashModeToVersion(condition.hashMode, network),
        condition.signer,
      ),
    );

  const auth = wire.auth;
  const origin = addressOf(auth.spendingCondition);
  const sponsored = auth.authType === AuthType.Sponsored;
  const sponsor = sponsored ? addressOf(auth.sponsorSpendingCondition) : undefined;
  return {
    txid: wire.txid(),
    wire,
    bytes,
    origin,
    sponsor,
    payer: sponsor ?? origin,
    nonce: auth.spendingCondition.nonce,
    sponsorNonce: sponsored ? auth.sponsorSpendingCondition.nonce : undefined,
    fee: getFee(auth),
    payload: decodePayload(wire, bytes),
    postConditionMode: modeName(wire.postConditionMode),
    postConditions: wire.postConditions.values.map(wireToPostCondition),
  };
}

function decodePayload(wire: StacksTransactionWire, bytes: Uint8Array): DecodedPayload {
  const payload = wire.payload;
  switch (payload.payloadType) {
    case PayloadType.TokenTransfer: {
      const memo = bytes.subarray(bytes.length - MEMO_LENGTH);
      return {
        type: 'token_transfer',
        recipient: payload.recipient.value,
        amount: payload.amount,
        memoHex: `0x${Buffer.from(memo).toString('hex')}`,
      };
    }
    case PayloadType.ContractCall: {
      const contractAddress = addressToString(payload.contractAddress);
      const contractName = payload.contractName.content;
      return {
        type: 'contract_call',
        contractAddress,
        contractName,
        contractId: `${contractAddress}.${contractName}`,
        functionName: payload.functionName.content,
        args: payload.functionArgs,
      };
    }
    case PayloadType.SmartContract:
    case PayloadType.VersionedSmartContract:
      return { type: 'smart_contract', contractName: payload.contractName.content };
    case PayloadType.TenureChange:
      return { type: 'tenure_change' };
    case PayloadType.PoisonMicroblock:
      return { type: 'poison_microblock' };
    default:
      return { type: 'coinbase' };
  }
}

function modeName(mode: PostConditionMode): PostConditionModeName {
  switch (mode) {
    case PostConditionMode.Allow:
      return 'allow';
    case PostConditionMode.Deny:
      return 'deny';
    default:
      return 'originator';
  }
}
