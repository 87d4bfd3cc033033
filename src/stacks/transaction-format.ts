/**
 * Decodes a serialized Stacks transaction (SIP-005 "Transaction Encoding") into what a person
 * or an agent wants to read, and says whether its origin signature verifies.
 *
 * The header, authorization and post-conditions are read with @stacks/transactions from one
 * BytesReader (so we know where each part ends); the token-transfer and contract-call payloads,
 * whose Clarity values @stacks/transactions reads leniently, are read from the raw bytes with
 * our strict decoder. The txid and the signature hash are computed as the node computes them:
 * over its own re-serialization of what it decoded (stacks-core `StacksTransaction::txid`),
 * which differs from the raw bytes only if a tuple argument's fields are not in byte order.
 */
import { TransactionVersion } from '@stacks/network';
import {
  AddressHashMode,
  AnchorMode,
  type Authorization,
  AuthType,
  addressFromVersionHash,
  addressHashModeToVersion,
  addressToString,
  BytesReader,
  deserializeAuthorization,
  deserializeLPList,
  deserializePayload,
  isSingleSig,
  PayloadType,
  PostConditionMode,
  PostConditionType,
  type PostConditionWire,
  type SpendingCondition,
  StacksWireType,
  serializeCVBytes,
  txidFromData,
} from '@stacks/transactions';
import { ClarityDecodeError, decodeClarityValue } from './clarity/deserialize';
import { type RawPayload, readRawPayload } from './clarity/raw-payload';
import { concatBytes } from './clarity/serialize';
import {
  formatOtherPayload,
  formatPostCondition,
  type PayloadJson,
  type PostConditionJson,
} from './clarity/transaction-parts';
import { initialSighashOf, verifyOrigin } from './signatures/origin';
import type { StacksNetworkName } from './tokens';

export class TransactionDecodeError extends Error {}

export type HashModeName =
  | 'p2pkh'
  | 'p2sh'
  | 'p2wpkh'
  | 'p2wsh'
  | 'p2sh-non-sequential'
  | 'p2wsh-non-sequential';

export interface SpenderJson {
  address: string;
  hashMode: HashModeName;
  /** The hash160 of the public key(s), 0x hex: the address without its version. */
  signer: string;
  nonce: string;
  fee: string;
}

export interface DecodedTransaction {
  txid: string;
  network: StacksNetworkName;
  chainId: number;
  byteLength: number;
  authType: 'standard' | 'sponsored';
  sender: string;
  hashMode: HashModeName;
  signer: string;
  nonce: string;
  fee: string;
  sponsor?: SpenderJson;
  anchorMode: 'on_chain_only' | 'off_chain_only' | 'any';
  postConditionMode: 'allow' | 'deny' | 'originator';
  postConditions: PostConditionJson[];
  payload: PayloadJson;
  signatureValid: boolean;
  signatureProblem?: string;
}

const HASH_MODES: Record<AddressHashMode, HashModeName> = {
  [AddressHashMode.P2PKH]: 'p2pkh',
  [AddressHashMode.P2SH]: 'p2sh',
  [AddressHashMode.P2WPKH]: 'p2wpkh',
  [AddressHashMode.P2WSH]: 'p2wsh',
  [AddressHashMode.P2SHNonSequential]: 'p2sh-non-sequential',
  [AddressHashMode.P2WSHNonSequential]: 'p2wsh-non-sequential',
};
const ANCHOR_MODES = {
  [AnchorMode.OnChainOnly]: 'on_chain_only',
  [AnchorMode.OffChainOnly]: 'off_chain_only',
  [AnchorMode.Any]: 'any',
} as const;
const POST_CONDITION_MODES = {
  [PostConditionMode.Allow]: 'allow',
  [PostConditionMode.Deny]: 'deny',
  [PostConditionMode.Originator]: 'originator',
} as const;

/** Half the secp256k1 order: SIP-005 requires the lower S; the node rejects the other. */
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export function decodeTransaction(bytes: Uint8Array): DecodedTransaction {
  const reader = new BytesReader(bytes);
  const stage = (what: string) => {
    if (reader.consumed > bytes.length) {
      throw new TransactionDecodeError(`the bytes end inside the ${what}`);
    }
  };
  let parts: ReturnType<typeof readParts>;
  try {
    parts = readParts(reader, stage);
  } catch (error) {
    if (error instanceof TransactionDecodeError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new TransactionDecodeError(
      reader.consumed > bytes.length ? 'the bytes end before the transaction does' : detail,
    );
  }
  const { network, chainId, auth, authEnd, anchorMode, postConditionMode, postConditions } = parts;
  checkAssetIds(postConditions);
  const payloadStart = reader.consumed;
  const origin = spender(auth.spendingCondition, network);
  let raw: RawPayload | undefined;
  try {
    raw = readRawPayload(bytes, payloadStart);
  } catch (error) {
    if (!(error instanceof ClarityDecodeError)) throw error;
    throw new TransactionDecodeError(`its payload is invalid: ${error.message}`);
  }
  if (raw) reader.consumed = raw.end;
  const payload = raw ? raw.payload : readLibraryPayload(reader, bytes, origin.address);
  checkEnd(reader, bytes);
  // The node hashes its re-serialization: the raw bytes but for tuple field order.
  const canonical = raw ? concatBytes([bytes.subarray(0, payloadStart), raw.canonical]) : bytes;
  const signature = checkOriginSignature(auth, canonical, authEnd);
  const { address, ...originFields } = origin;
  return {
    txid: `0x${txidFromData(canonical)}`,
    network,
    chainId,
    byteLength: bytes.length,
    authType: auth.authType === AuthType.Sponsored ? 'sponsored' : 'standard',
    sender: address,
    ...originFields,
    ...(auth.authType === AuthType.Sponsored
      ? { sponsor: spender(auth.sponsorSpendingCondition, network) }
      : {}),
    anchorMode: ANCHOR_MODES[anchorMode],
    postConditionMode: POST_CONDITION_MODES[postConditionMode],
    postConditions: postConditions.map((condition) => formatPostCondition(condition, address)),
    payload,
    signatureValid: signature.valid,
    ...(signature.problem ? { signatureProblem: signature.problem } : {}),
  };
}

/** Everything before the payload, read in wire order. */
function readParts(reader: BytesReader, stage: (what: string) => void) {
  const version = reader.readUInt8Enum(TransactionVersion, (n) => {
    throw new TransactionDecodeError(
      `its version byte is 0x${n.toString(16).padStart(2, '0')}; it must be 0x00 (mainnet) or 0x80 (testnet)`,
    );
  });
  const chainId = reader.readUInt32BE();
  stage('header');
  const auth: Authorization = deserializeAuthorization(reader);
  stage('authorization');
  const authEnd = reader.consumed;
  const anchorMode = reader.readUInt8Enum(AnchorMode, (n) => {
    throw new TransactionDecodeError(`its anchor mode ${n} is not 1, 2 or 3`);
  });
  const postConditionMode = reader.readUInt8Enum(PostConditionMode, (n) => {
    throw new TransactionDecodeError(`its post-condition mode ${n} is not 1, 2 or 3`);
  });
  const postConditions = deserializeLPList(reader, StacksWireType.PostCondition)
    .values as PostConditionWire[];
  stage('post-conditions');
  const network: StacksNetworkName = version === TransactionVersion.Mainnet ? 'mainnet' : 'testnet';
  return { network, chainId, auth, authEnd, anchorMode, postConditionMode, postConditions };
}

/**
 * A non-fungible post-condition names its token with a Clarity value, which the node decodes
 * strictly; stacks.js decoded it leniently, so its re-serialization goes through our decoder.
 */
function checkAssetIds(postConditions: readonly PostConditionWire[]): void {
  for (const [index, condition] of postConditions.entries()) {
    if (condition.conditionType !== PostConditionType.NonFungible) continue;
    try {
      decodeClarityValue(serializeCVBytes(condition.assetName));
    } catch (error) {
      if (!(error instanceof ClarityDecodeError)) throw error;
      throw new TransactionDecodeError(
        `post-condition ${index + 1} names its token with an invalid Clarity value: ${error.message}`,
      );
    }
  }
}

/** Payloads without Clarity values of their own: read by @stacks/transactions, to the end. */
function readLibraryPayload(reader: BytesReader, bytes: Uint8Array, sender: string): PayloadJson {
  let payload: ReturnType<typeof deserializePayload>;
  try {
    payload = deserializePayload(reader);
  } catch (error) {
    throw new TransactionDecodeError(
      reader.consumed > bytes.length
        ? 'the bytes end inside the payload'
        : `its payload is invalid: ${(error as Error).message}`,
    );
  }
  if (payload.payloadType === PayloadType.PoisonMicroblock) {
    // SIP-005: two microblock headers of 1 + 2 + 32 + 32 + 65 bytes, which stacks.js skips.
    reader.readBytes(2 * 132);
  }
  return formatOtherPayload(payload, sender);
}

/** The decoder stops at the end of the transaction; one transaction has one spelling. */
function checkEnd(reader: BytesReader, bytes: Uint8Array): void {
  if (reader.consumed > bytes.length) {
    throw new TransactionDecodeError('the bytes end inside the payload');
  }
  if (reader.consumed < bytes.length) {
    throw new TransactionDecodeError(
      `${bytes.length - reader.consumed} byte(s) follow the transaction, which ends at byte ${reader.consumed}`,
    );
  }
}

function spender(condition: SpendingCondition, network: StacksNetworkName): SpenderJson {
  let address: string;
  try {
    address = addressToString(
      addressFromVersionHash(
        addressHashModeToVersion(condition.hashMode, network),
        condition.signer,
      ),
    );
  } catch {
    throw new TransactionDecodeError(`hash mode ${condition.hashMode} names no address`);
  }
  return {
    address,
    hashMode: HASH_MODES[condition.hashMode],
    signer: `0x${condition.signer}`,
    nonce: condition.nonce.toString(),
    fee: condition.fee.toString(),
  };
}

/**
 * SIP-005 "Transaction Signing and Verifying": the initial sighash is the txid of the
 * transaction with its spending conditions cleared (and a sponsor sentinel), then each
 * signature must recover a key of the signer hash. High-S signatures are refused, as the node
 * refuses them. Never throws: the answer is valid or not, with the reason.
 */
function checkOriginSignature(
  auth: Authorization,
  canonical: Uint8Array,
  authEnd: number,
): { valid: boolean; problem?: string } {
  const condition = auth.spendingCondition;
  const signatures = isSingleSig(condition)
    ? [condition.signature.data]
    : condition.fields.flatMap((field) =>
        field.contents.type === StacksWireType.MessageSignature ? [field.contents.data] : [],
      );
  if (
    signatures.some((signature) => BigInt(`0x${signature.slice(66, 130)}`) > SECP256K1_HALF_ORDER)
  ) {
    return { valid: false, problem: 'a signature has a high S value (SIP-005 requires the low S)' };
  }
  try {
    verifyOrigin(auth, initialSighashOf(auth, canonical, authEnd));
    return { valid: true };
  } catch (error) {
    const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
    return { valid: false, problem: `the origin signature does not verify${detail}` };
  }
}
