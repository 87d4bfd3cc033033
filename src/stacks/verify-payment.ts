/**
 * Offline verification of a Stacks payment transaction (DESIGN section 4, items 2 to 7).
 * Pure CPU work with @stacks/transactions v7: no network call, no side effect, so it runs before
 * anything is claimed or charged. Each failure has its own code.
 */
import {
  AddressHashMode,
  AuthType,
  addressFromVersionHash,
  addressHashModeToVersion,
  addressToString,
  ClarityType,
  type ClarityValue,
  deserializeTransaction,
  FungibleConditionCode,
  isSingleSig,
  PayloadType,
  PostConditionMode,
  PostConditionPrincipalId,
  type PostConditionPrincipalWire,
  PostConditionType,
  type PostConditionWire,
  PubKeyEncoding,
  type StacksTransactionWire,
  serializeTransaction,
  txidFromData,
} from '@stacks/transactions';
import { bytesToHex, parseHex } from '../encoding/hex';
import type { PaymentErrorCode } from '../payment/errors';
import type { PaymentRequirements } from '../payment/protocol';
import type { VerifyOutcome } from '../payment/types';
import { initialSighashOf, verifyOrigin as verifyOriginSignature } from './signatures/origin';
import {
  CHAIN_ID,
  type StacksNetworkName,
  TOKENS,
  type TokenType,
  TRANSACTION_VERSION,
} from './tokens';

export interface PaymentCheck {
  /** Hex of the serialized transaction, `0x` optional. */
  transactionHex: string;
  requirement: PaymentRequirements;
  token: TokenType;
  network: StacksNetworkName;
  maxBytes: number;
  /**
   * Whether someone sponsors (DESIGN section 4 item 5): the Worker or its facilitator. Without it
   * a sponsored transaction is refused with `sponsored_not_allowed`.
   */
  acceptSponsored?: boolean;
}

/** Half the secp256k1 group order: a signature with s above it is the malleated twin (BIP-62). */
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
/** SIP-010 `transfer` memo: (optional (buff 34)). */
const MAX_MEMO_BYTES = 34;

class Rejection extends Error {
  constructor(
    readonly code: PaymentErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function reject(code: PaymentErrorCode, detail: string): never {
  throw new Rejection(code, detail);
}

export function verifyStacksPayment(check: PaymentCheck): VerifyOutcome {
  try {
    return verifyOrThrow(check);
  } catch (error) {
    if (error instanceof Rejection)
      return { type: 'rejected', code: error.code, detail: error.detail };
    throw error;
  }
}

function verifyOrThrow(check: PaymentCheck): VerifyOutcome {
  const parsed = parseHex(check.transactionHex);
  if (!parsed.ok) {
    reject('invalid_transaction', 'payload.transaction must be an even-length hex string');
  }
  const bytes = parsed.bytes;
  if (bytes.length > check.maxBytes) {
    reject(
      'transaction_too_large',
      `payload.transaction is ${bytes.length} bytes; the limit is ${check.maxBytes}`,
    );
  }
  const hex = bytesToHex(bytes);
  let tx: StacksTransactionWire;
  try {
    tx = deserializeTransaction(hex);
  } catch (error) {
    reject('invalid_transaction', `the transaction does not decode: ${(error as Error).message}`);
  }
  // The decoder ignores trailing bytes; without this check one payment has many spellings (txids).
  if (serializeTransaction(tx) !== hex) {
    reject(
      'non_canonical_transaction',
      'the transaction does not re-serialise to exactly the bytes sent',
    );
  }
  if (
    tx.transactionVersion !== TRANSACTION_VERSION[check.network] ||
    tx.chainId !== CHAIN_ID[check.network]
  ) {
    reject(
      'invalid_network',
      `the transaction is for version 0x${tx.transactionVersion.toString(16)} / chain id 0x${tx.chainId.toString(16)}; this route takes ${check.network}`,
    );
  }
  const sponsored = tx.auth.authType === AuthType.Sponsored;
  if (sponsored && !check.acceptSponsored) {
    reject(
      'sponsored_not_allowed',
      'this server does not sponsor transactions; build it with the payer paying the fee',
    );
  }
  const payer = verifyOrigin(tx, bytes, check.network);
  const fee = tx.auth.spendingCondition.fee;
  if (sponsored) {
    // The sponsor sets the fee; the origin's fee field plays no part, so it must say so.
    if (fee !== 0n) {
      reject(
        'invalid_transaction',
        `a sponsored payment carries fee 0 in its origin authorization (found ${fee}); the sponsor sets the fee`,
      );
    }
  } else if (fee < BigInt(bytes.length)) {
    reject('fee_too_low', `fee ${fee} is below ${bytes.length} microSTX (1 per byte)`);
  }
  const amount = checkTransferPayload(tx, check, payer);
  checkPostConditions(tx, check, payer, amount);
  return {
    type: 'verified',
    payer,
    // The txid is the hash of the canonical bytes (checked above): no third serialisation.
    txid: txidFromData(bytes),
    nonce: tx.auth.spendingCondition.nonce,
    amount,
    transaction: bytes,
    sponsored,
  };
}

/**
 * Item 4: standard single-sig origin with a valid low-S signature; returns the payer. `bytes` are
 * the transaction's canonical bytes (checked before), from which the initial sighash is taken.
 */
function verifyOrigin(
  tx: StacksTransactionWire,
  bytes: Uint8Array,
  network: StacksNetworkName,
): string {
  const condition = tx.auth.spendingCondition;
  if (
    !isSingleSig(condition) ||
    (condition.hashMode !== AddressHashMode.P2PKH && condition.hashMode !== AddressHashMode.P2WPKH)
  ) {
    reject('unsupported_signer', 'the origin must be a single-signature spending condition');
  }
  if (
    condition.hashMode === AddressHashMode.P2WPKH &&
    condition.keyEncoding !== PubKeyEncoding.Compressed
  ) {
    reject('signature_validation_failed', 'P2WPKH origins must use a compressed public key');
  }
  const signature = condition.signature.data;
  if (BigInt(`0x${signature.slice(66, 130)}`) > SECP256K1_HALF_ORDER) {
    reject(
      'signature_validation_failed',
      'the signature has a high S value (a malleated signature)',
    );
  }
  try {
    verifyOriginSignature(tx.auth, initialSighashOf(tx.auth, bytes));
  } catch (error) {
    reject(
      'signature_validation_failed',
      `the origin signature does not verify: ${(error as Error).message}`,
    );
  }
  return addressToString(
    addressFromVersionHash(addressHashModeToVersion(condition.hashMode, network), condition.signer),
  );
}

/** Item 6: what the transaction pays; returns the amount transferred. */
function checkTransferPayload(
  tx: StacksTransactionWire,
  check: PaymentCheck,
  payer: string,
): bigint {
  const { requirement } = check;
  const price = BigInt(requirement.amount);
  const payload = tx.payload;
  if (requirement.asset === 'STX') {
    if (payload.payloadType !== PayloadType.TokenTransfer) {
      reject('unrecognized_asset', 'an STX payment must be a token-transfer transaction');
    }
    if (principalOf(payload.recipient) !== requirement.payTo) {
      reject(
        'recipient_mismatch',
        `the transfer pays ${principalOf(payload.recipient)}, not ${requirement.payTo}`,
      );
    }
    if (payload.amount < price) {
      reject(
        'amount_insufficient',
        `the transfer pays ${payload.amount} microSTX; the price is ${price}`,
      );
    }
    return payload.amount;
  }
  if (payload.payloadType !== PayloadType.ContractCall) {
    reject(
      'unrecognized_asset',
      `a ${check.token} payment must be a contract call of ${requirement.asset}`,
    );
  }
  const contractId = `${addressToString(payload.contractAddress)}.${payload.contractName.content}`;
  if (contractId !== requirement.asset) {
    reject('unrecognized_asset', `the call is to ${contractId}, not ${requirement.asset}`);
  }
  const args = payload.functionArgs;
  if (
    payload.functionName.content !== 'transfer' ||
    args.length !== 4 ||
    args[0].type !== ClarityType.UInt
  ) {
    reject(
      'invalid_transfer_call',
      'the call must be transfer(uint amount, principal sender, principal recipient, optional memo)',
    );
  }
  const amount = BigInt(args[0].value);
  if (amount < price) {
    reject('amount_insufficient', `the transfer pays ${amount}; the price is ${price}`);
  }
  if (principalOf(args[1]) !== payer) {
    reject(
      'sender_mismatch',
      `the transfer sender is ${principalOf(args[1])} but the signer is ${payer}`,
    );
  }
  if (args[2].type !== ClarityType.PrincipalStandard || args[2].value !== requirement.payTo) {
    reject(
      'recipient_mismatch',
      `the transfer pays ${principalOf(args[2])}, not ${requirement.payTo}`,
    );
  }
  const memo = args[3];
  const memoOk =
    memo.type === ClarityType.OptionalNone ||
    (memo.type === ClarityType.OptionalSome &&
      memo.value.type === ClarityType.Buffer &&
      memo.value.value.length / 2 <= MAX_MEMO_BYTES);
  if (!memoOk) {
    reject(
      'invalid_transfer_call',
      `the memo must be none or (some buff) of at most ${MAX_MEMO_BYTES} bytes`,
    );
  }
  return amount;
}

/**
 * Item 7. STX: deny mode, no post-conditions. Tokens: deny mode with exactly one condition (the
 * payer sends exactly `amount` of the asset), or allow mode with none at all: the call is to the
 * pinned contract's `transfer` with checked arguments, so the contract fixes its effect (this is
 * how the aibtc MCP tool signs). Any other mode or mix is refused.
 */
function checkPostConditions(
  tx: StacksTransactionWire,
  check: PaymentCheck,
  payer: string,
  amount: bigint,
): void {
  const conditions = tx.postConditions.values as PostConditionWire[];
  const problem: (detail: string) => never = (detail) => reject('invalid_post_conditions', detail);
  const mode = tx.postConditionMode;
  if (check.requirement.asset === 'STX') {
    // A token transfer is unambiguous on its own; a node may admit one that carries
    // post-conditions and never mine it, which would deliver content for a payment that never lands.
    if (conditions.length > 0) problem('an STX transfer payment must carry no post-conditions');
    if (mode !== PostConditionMode.Deny) problem('an STX transfer payment must be in deny mode');
    return;
  }
  if (mode === PostConditionMode.Allow) {
    if (conditions.length > 0) {
      problem(
        'allow mode is accepted only without post-conditions; in deny mode, give exactly one',
      );
    }
    return;
  }
  if (mode !== PostConditionMode.Deny) problem('post-conditions must be in deny or allow mode');
  // In deny mode the token movement needs its condition, or the chain aborts the transfer.
  if (conditions.length !== 1) problem(`expected one post-condition, found ${conditions.length}`);
  const condition = conditions[0];
  if (condition.conditionType !== PostConditionType.Fungible)
    problem('the post-condition must be a fungible-token one');
  if (postConditionPrincipal(condition.principal, payer) !== payer) {
    problem('the post-condition must be on the payer');
  }
  if (condition.conditionCode !== FungibleConditionCode.Equal || condition.amount !== amount) {
    problem(`the post-condition must say the payer sends exactly ${amount}`);
  }
  const ft = TOKENS[check.token].contract?.[check.network];
  if (
    !ft ||
    addressToString(condition.asset.address) !== ft.address ||
    condition.asset.contractName.content !== ft.contractName ||
    condition.asset.assetName.content !== ft.assetName
  ) {
    problem(`the post-condition must be on ${check.requirement.asset}::${ft?.assetName}`);
  }
}

function postConditionPrincipal(principal: PostConditionPrincipalWire, origin: string): string {
  switch (principal.prefix) {
    case PostConditionPrincipalId.Origin:
      return origin;
    case PostConditionPrincipalId.Standard:
      return addressToString(principal.address);
    case PostConditionPrincipalId.Contract:
      return `${addressToString(principal.address)}.${principal.contractName.content}`;
  }
}

function principalOf(value: ClarityValue): string {
  if (value.type === ClarityType.PrincipalStandard || value.type === ClarityType.PrincipalContract)
    return value.value;
  return `(not a principal: ${value.type})`;
}
