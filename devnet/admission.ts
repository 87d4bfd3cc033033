/**
 * Mempool admission: the checks a Stacks node runs on `POST /v2/transactions` before it accepts a
 * transaction (stacks-core `will_admit_mempool_tx`), in the node's order and with its reason names
 * and `reason_data` shapes, so clients classify our rejections exactly as they would a node's.
 *
 * One deliberate difference: a node checks the fee (and STX amount) against the confirmed balance
 * only; the devnet subtracts what the account's pending transactions will spend, so a payer cannot
 * queue more than it owns and see the surplus fail later in a block.
 */
import { AddressVersion, createAddress } from '@stacks/transactions';
import { CHAIN_ID, TRANSACTION_VERSION } from '../src/stacks/tokens.ts';
import { argumentsError } from './clarity-values.ts';
import type { DecodedTx } from './decoded-tx.ts';
import { authorizationError } from './signatures.ts';
import type { ContractInterface } from './simnet-ledger.ts';

/** stacks-core `MAXIMUM_MEMPOOL_TX_CHAINING`: how far ahead of its account a nonce may run. */
const MAX_MEMPOOL_CHAINING = 25;
/** stacks-core `MINIMUM_TX_FEE_RATE_PER_BYTE`. */
export const MIN_FEE_RATE_PER_BYTE = 1n;

export interface Rejection {
  reason: string;
  reasonData?: Record<string, unknown>;
}

/** What admission needs to know about the chain and the mempool. */
export interface AdmissionView {
  /** The confirmed account nonce (the nonce its next transaction must carry). */
  accountNonce(address: string): number;
  /** µSTX the address can still spend: balance minus its pending transactions' spending. */
  spendableStx(address: string): bigint;
  contractInterface(contractId: string): ContractInterface | undefined;
}

export function admissionRejection(tx: DecodedTx, view: AdmissionView): Rejection | undefined {
  const { wire, payload } = tx;
  if (wire.transactionVersion !== TRANSACTION_VERSION.testnet) {
    return { reason: 'BadTransactionVersion' };
  }
  switch (payload.type) {
    case 'coinbase':
      return { reason: 'NoCoinbaseViaMempool' };
    case 'tenure_change':
      return { reason: 'NoTenureChangeViaMempool' };
    case 'poison_microblock':
    case 'smart_contract':
      // A node accepts these; the devnet has no use for them and does not execute them.
      return serverFailure(`The devnet does not accept ${payload.type} transactions`);
    case 'token_transfer':
      if (payload.recipient === tx.origin) {
        return {
          reason: 'TransferRecipientCannotEqualSender',
          reasonData: { recipient: payload.recipient },
        };
      }
      if (payload.amount === 0n) return { reason: 'TransferAmountMustBePositive' };
      if (!isTestnetPrincipal(payload.recipient)) return { reason: 'BadAddressVersionByte' };
      break;
    case 'contract_call':
      if (!isTestnetPrincipal(payload.contractAddress)) return { reason: 'BadAddressVersionByte' };
      break;
  }

  const authError = authorizationError(wire, tx.txid, CHAIN_ID.testnet);
  if (authError) return { reason: 'SignatureValidation', reasonData: { message: authError } };

  const minimumFee = BigInt(tx.bytes.length) * MIN_FEE_RATE_PER_BYTE;
  if (tx.fee < minimumFee) {
    return {
      reason: 'FeeTooLow',
      reasonData: { expected: Number(minimumFee), actual: Number(tx.fee) },
    };
  }

  const nonceProblem =
    nonceRejection(tx.origin, tx.nonce, true, view) ??
    (tx.sponsor !== undefined && tx.sponsorNonce !== undefined
      ? nonceRejection(tx.sponsor, tx.sponsorNonce, false, view)
      : undefined);
  if (nonceProblem) return nonceProblem;

  const fundsProblem = fundsRejection(tx, view);
  if (fundsProblem) return fundsProblem;

  if (payload.type === 'contract_call') {
    const contract = view.contractInterface(payload.contractId);
    if (!contract) return { reason: 'NoSuchContract' };
    const fn = contract.functions.find(
      (candidate) => candidate.name === payload.functionName && candidate.access === 'public',
    );
    if (!fn) return { reason: 'NoSuchPublicFunction' };
    const argsError = argumentsError(fn, payload.args);
    if (argsError) return { reason: 'BadFunctionArgument', reasonData: { message: argsError } };
  }
  return undefined;
}

function nonceRejection(
  principal: string,
  nonce: bigint,
  isOrigin: boolean,
  view: AdmissionView,
): Rejection | undefined {
  const expected = view.accountNonce(principal);
  if (nonce < BigInt(expected)) {
    return {
      reason: 'BadNonce',
      reasonData: { expected, actual: Number(nonce), principal, is_origin: isOrigin },
    };
  }
  const maxNonce = expected + 1 + MAX_MEMPOOL_CHAINING;
  if (nonce > BigInt(maxNonce)) {
    return {
      reason: 'TooMuchChaining',
      reasonData: {
        message: 'Nonce would exceed chaining limit in mempool',
        expected: maxNonce,
        actual: Number(nonce),
        principal,
        is_origin: isOrigin,
      },
    };
  }
  return undefined;
}

function fundsRejection(tx: DecodedTx, view: AdmissionView): Rejection | undefined {
  const transferred = tx.payload.type === 'token_transfer' ? tx.payload.amount : 0n;
  // The origin spends the amount; the payer (the origin unless sponsored) spends the fee.
  const needs = new Map<string, bigint>([[tx.origin, transferred]]);
  needs.set(tx.payer, (needs.get(tx.payer) ?? 0n) + tx.fee);
  for (const [address, expected] of needs) {
    const actual = view.spendableStx(address);
    if (expected > actual) {
      return {
        reason: 'NotEnoughFunds',
        reasonData: { expected: u128Hex(expected), actual: u128Hex(actual > 0n ? actual : 0n) },
      };
    }
  }
  return undefined;
}

function serverFailure(message: string): Rejection {
  return { reason: 'ServerFailureOther', reasonData: { message } };
}

/** stacks-core prints NotEnoughFunds amounts as `0x` + the u128 in 32 big-endian hex digits. */
function u128Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(32, '0')}`;
}

function isTestnetPrincipal(principal: string): boolean {
  try {
    const { version } = createAddress(principal.split('.')[0]);
    return (
      version === AddressVersion.TestnetSingleSig || version === AddressVersion.TestnetMultiSig
    );
  } catch {
    return false;
  }
}
