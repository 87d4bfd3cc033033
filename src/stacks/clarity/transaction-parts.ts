/**
 * The parts of a decoded transaction shown to people: post-conditions and payloads (SIP-005
 * "Transaction Post-Conditions" and "Transaction Payloads"; SIP-040/SIP-044 add the
 * `originator` mode, `maybe-sent`, and staking/PoX conditions, which @stacks/transactions 7.6
 * decodes). Amounts are decimal strings; Clarity values use format.ts.
 */
import {
  type ClarityValue,
  type ClarityVersion,
  PayloadType,
  type PayloadWire,
  type PostConditionWire,
  TenureChangeCause,
  wireToPostCondition,
} from '@stacks/transactions';
import { bytesToHex } from '../../encoding/hex';
import { type ClarityTypeName, clarityRepr, clarityTypeName } from './format';

export interface PostConditionJson {
  type: 'stx' | 'fungible' | 'non-fungible' | 'staking' | 'pox';
  /** The principal the condition is about; an "origin" principal is shown as the sender. */
  principal: string;
  condition: string;
  amount?: string;
  /** `address.contract::asset-name` for fungible and non-fungible conditions. */
  asset?: string;
  /** The non-fungible token's id, as a Clarity literal. */
  assetId?: string;
}

const CONDITION_TYPES = {
  'stx-postcondition': 'stx',
  'ft-postcondition': 'fungible',
  'nft-postcondition': 'non-fungible',
  'staking-postcondition': 'staking',
  'pox-postcondition': 'pox',
} as const;

export function formatPostCondition(wire: PostConditionWire, sender: string): PostConditionJson {
  const condition = wireToPostCondition(wire);
  return {
    type: CONDITION_TYPES[condition.type],
    principal: condition.address === 'origin' ? sender : condition.address,
    condition: condition.condition,
    ...('amount' in condition ? { amount: String(condition.amount) } : {}),
    ...('asset' in condition ? { asset: condition.asset } : {}),
    ...('assetId' in condition ? { assetId: clarityRepr(condition.assetId) } : {}),
  };
}

export interface ArgumentJson {
  type: ClarityTypeName;
  repr: string;
}

export type PayloadJson =
  | { type: 'token_transfer'; recipient: string; amount: string; memo: string; memoHex: string }
  | {
      type: 'contract_call';
      contractId: string;
      contractAddress: string;
      contractName: string;
      functionName: string;
      args: ArgumentJson[];
    }
  | {
      type: 'smart_contract';
      contractId: string;
      contractName: string;
      /** Set by versioned smart-contract payloads; null when the node's default applies. */
      clarityVersion: number | null;
      codeLength: number;
    }
  | { type: 'coinbase'; coinbaseHex: string; recipient?: string; vrfProof?: string }
  | {
      type: 'tenure_change';
      tenureConsensusHash: string;
      previousTenureConsensusHash: string;
      burnViewConsensusHash: string;
      previousTenureEnd: string;
      previousTenureBlocks: number;
      cause: string;
      pubkeyHash: string;
    }
  | { type: 'poison_microblock' };

export function formatArgument(value: ClarityValue): ArgumentJson {
  return { type: clarityTypeName(value), repr: clarityRepr(value) };
}

const utf8 = new TextDecoder();

/** A token-transfer memo: 34 raw bytes; as text, without the zero bytes that pad it. */
export function formatMemo(memo: Uint8Array): { memo: string; memoHex: string } {
  let end = memo.length;
  while (end > 0 && memo[end - 1] === 0) end--;
  return { memo: utf8.decode(memo.subarray(0, end)), memoHex: `0x${bytesToHex(memo)}` };
}

/** Payloads the transaction decoder does not read from raw bytes itself. */
export function formatOtherPayload(payload: PayloadWire, sender: string): PayloadJson {
  switch (payload.payloadType) {
    case PayloadType.SmartContract:
    case PayloadType.VersionedSmartContract: {
      const contractName = payload.contractName.content;
      return {
        type: 'smart_contract',
        contractId: `${sender}.${contractName}`,
        contractName,
        clarityVersion:
          payload.payloadType === PayloadType.VersionedSmartContract
            ? (payload.clarityVersion as ClarityVersion)
            : null,
        codeLength: new TextEncoder().encode(payload.codeBody.content).length,
      };
    }
    case PayloadType.Coinbase:
    case PayloadType.CoinbaseToAltRecipient:
    case PayloadType.NakamotoCoinbase: {
      const recipient =
        payload.payloadType === PayloadType.Coinbase ? undefined : payload.recipient;
      return {
        type: 'coinbase',
        coinbaseHex: `0x${bytesToHex(payload.coinbaseBytes)}`,
        ...(recipient ? { recipient: recipient.value } : {}),
        ...(payload.payloadType === PayloadType.NakamotoCoinbase
          ? { vrfProof: `0x${bytesToHex(payload.vrfProof)}` }
          : {}),
      };
    }
    case PayloadType.TenureChange:
      return {
        type: 'tenure_change',
        tenureConsensusHash: `0x${payload.tenureHash}`,
        previousTenureConsensusHash: `0x${payload.previousTenureHash}`,
        burnViewConsensusHash: `0x${payload.burnViewHash}`,
        previousTenureEnd: `0x${payload.previousTenureEnd}`,
        previousTenureBlocks: payload.previousTenureBlocks,
        cause: tenureChangeCauseName(payload.cause),
        pubkeyHash: `0x${payload.publicKeyHash}`,
      };
    case PayloadType.PoisonMicroblock:
      return { type: 'poison_microblock' };
    default:
      throw new Error(`payload type ${payload.payloadType} is decoded from raw bytes`);
  }
}

/** `ExtendedRuntime` -> `extended_runtime`, the Stacks API's spelling of causes. */
function tenureChangeCauseName(cause: TenureChangeCause): string {
  return TenureChangeCause[cause].replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase();
}
