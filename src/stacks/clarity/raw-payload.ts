/**
 * Token-transfer and contract-call payloads read from the raw bytes (SIP-005 "Transaction
 * Payloads"), with the node's rules: the recipient and the arguments are strict Clarity values
 * (deserialize.ts), names follow stacks-core's codecs (a contract name in a payload is 1 to 40
 * bytes, `CONTRACT_MAX_NAME_LENGTH`; a function name is a Clarity name), the memo is 34 raw
 * bytes.
 */
import {
  addressFromVersionHash,
  addressToString,
  type ClarityValue,
  PayloadType,
} from '@stacks/transactions';
import { bytesToHex } from '../../encoding/hex';
import {
  CLARITY_NAME,
  ClarityDecodeError,
  CONTRACT_NAME,
  MAX_NAME_LENGTH,
  readClarityValue,
} from './deserialize';
import { concatBytes, serializeClarityValue } from './serialize';
import { formatArgument, formatMemo, type PayloadJson } from './transaction-parts';

/** stacks-core CONTRACT_MAX_NAME_LENGTH, enforced by the ContractName codec of payloads. */
const MAX_PAYLOAD_CONTRACT_NAME = 40;
/** SIP-005: a token-transfer memo is 34 bytes. */
const MEMO_BYTES = 34;

export interface RawPayload {
  payload: PayloadJson;
  /** The payload as the node re-serializes it (tuple fields in byte order). */
  canonical: Uint8Array;
  /** Offset of the first byte after the payload. */
  end: number;
}

/** Reads the payload at `start` if it is a token transfer or a contract call; else undefined. */
export function readRawPayload(bytes: Uint8Array, start: number): RawPayload | undefined {
  const cursor = new Cursor(bytes, start);
  const type = cursor.take(1, 'payload type')[0];
  let payload: PayloadJson;
  let canonical: Uint8Array;
  if (type === PayloadType.TokenTransfer) {
    payload = tokenTransfer(cursor);
    canonical = bytes.subarray(start, cursor.offset);
  } else if (type === PayloadType.ContractCall) {
    ({ payload, canonical } = contractCall(cursor, start));
  } else {
    return undefined;
  }
  return { payload, canonical, end: cursor.offset };
}

function tokenTransfer(cursor: Cursor): PayloadJson {
  const recipient = cursor.value();
  if (recipient.type !== 'address' && recipient.type !== 'contract') {
    throw new ClarityDecodeError(`the recipient is a Clarity ${recipient.type}, not a principal`);
  }
  const amount = BigInt(`0x${bytesToHex(cursor.take(8, 'amount'))}`);
  return {
    type: 'token_transfer',
    recipient: recipient.value,
    amount: amount.toString(),
    ...formatMemo(cursor.take(MEMO_BYTES, 'memo')),
  };
}

function contractCall(
  cursor: Cursor,
  start: number,
): { payload: PayloadJson; canonical: Uint8Array } {
  const version = cursor.take(1, 'contract address')[0];
  const hash = cursor.take(20, 'contract address');
  if (version > 31) throw new ClarityDecodeError(`contract address version ${version} is above 31`);
  const contractAddress = addressToString(addressFromVersionHash(version, bytesToHex(hash)));
  const contractName = cursor.name(CONTRACT_NAME, MAX_PAYLOAD_CONTRACT_NAME, 'contract name');
  const functionName = cursor.name(CLARITY_NAME, MAX_NAME_LENGTH, 'function name');
  const count = cursor.u32('argument count');
  const argsStart = cursor.offset;
  const args: ClarityValue[] = [];
  for (let i = 0; i < count; i++) {
    try {
      args.push(cursor.value());
    } catch (error) {
      if (!(error instanceof ClarityDecodeError)) throw error;
      throw new ClarityDecodeError(`argument ${i + 1} of ${count}: ${error.message}`);
    }
  }
  return {
    payload: {
      type: 'contract_call',
      contractId: `${contractAddress}.${contractName}`,
      contractAddress,
      contractName,
      functionName,
      args: args.map(formatArgument),
    },
    canonical: concatBytes([
      cursor.bytes.subarray(start, argsStart),
      ...args.map(serializeClarityValue),
    ]),
  };
}

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  take(length: number, what: string): Uint8Array {
    if (this.offset + length > this.bytes.length) {
      throw new ClarityDecodeError(`the bytes end inside the ${what}`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u32(what: string): number {
    const b = this.take(4, what);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  value() {
    const { value, end } = readClarityValue(this.bytes, this.offset);
    this.offset = end;
    return value;
  }

  name(pattern: RegExp, maxLength: number, what: string): string {
    const length = this.take(1, what)[0];
    const name = String.fromCharCode(...this.take(length, what));
    if (length === 0 || length > maxLength || !pattern.test(name)) {
      throw new ClarityDecodeError(
        `"${name}" is not a valid ${what} (1 to ${maxLength} characters, starting with a letter)`,
      );
    }
    return name;
  }
}
