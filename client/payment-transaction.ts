/**
 * Builds and signs the Stacks transaction that pays one x402 requirement (DESIGN section 4 lists
 * what the server accepts, and this is exactly that shape):
 * - STX: a token transfer of exactly `amount` to `payTo`;
 * - sBTC / USDCx: `transfer(amount, payer, payTo, none)` on the asset's SIP-010 contract, in deny
 *   mode with the single post-condition "payer sends exactly `amount` of this token".
 * `fee` and `nonce` are always given: without them the @stacks builders call the network.
 */
import {
  Cl,
  makeContractCall,
  makeSTXTokenTransfer,
  Pc,
  type StacksTransactionWire,
  serializeTransaction,
} from '@stacks/transactions';
import type { PaymentRequirements } from '../src/payment/protocol';
import { type StacksNetworkName, TOKENS, type TokenType } from '../src/stacks/tokens';

/** Floor of the fee rate: the Stacks node rejects transactions paying under 1 µSTX per byte. */
export const MIN_FEE_RATE = 1;
/** Floor of the whole fee, so a low estimate still gets mined promptly. */
export const MIN_FEE = 300n;

export interface PaymentTransactionSpec {
  requirement: PaymentRequirements;
  tokenType: TokenType;
  network: StacksNetworkName;
  privateKey: string;
  /** The payer's address (derived from `privateKey`), the `sender` of a SIP-010 transfer. */
  payer: string;
  nonce: bigint;
  /**
   * Sign for a sponsor (`sponsored: true`, fee 0): the server pays the fee, if it sponsors (its
   * `GET /` says `payments.sponsorship.enabled`). Off by default: the payer pays its own fee.
   */
  sponsored?: boolean;
}

/** Either a fixed fee, or a rate (µSTX per byte) applied to the signed transaction's length. */
export type FeeChoice = { fee: bigint } | { feeRate: number };

export interface SignedPaymentTransaction {
  transaction: StacksTransactionWire;
  /** `serializeTransaction` output, sent to the server byte for byte. */
  hex: string;
  /** `0x`-prefixed, as in SettlementResponse.transaction. */
  txid: string;
  fee: bigint;
  nonce: bigint;
}

/** `rate × length`, with the floors above; the rate is rounded up to a whole µSTX per byte. */
export function feeForLength(feeRate: number, byteLength: number): bigint {
  const rate = BigInt(Math.max(MIN_FEE_RATE, Math.ceil(feeRate)));
  const fee = rate * BigInt(byteLength);
  return fee > MIN_FEE ? fee : MIN_FEE;
}

function signWithFee(spec: PaymentTransactionSpec, fee: bigint): Promise<StacksTransactionWire> {
  const { requirement, tokenType, network, privateKey, payer, nonce } = spec;
  const sponsored = spec.sponsored === true;
  const amount = BigInt(requirement.amount);
  const contract = TOKENS[tokenType].contract?.[network];
  if (contract === undefined) {
    return makeSTXTokenTransfer({
      recipient: requirement.payTo,
      amount,
      senderKey: privateKey,
      network,
      fee,
      nonce,
      sponsored,
    });
  }
  const contractId = `${contract.address}.${contract.contractName}` as const;
  return makeContractCall({
    contractAddress: contract.address,
    contractName: contract.contractName,
    functionName: 'transfer',
    functionArgs: [
      Cl.uint(amount),
      Cl.principal(payer),
      Cl.principal(requirement.payTo),
      Cl.none(),
    ],
    postConditionMode: 'deny',
    postConditions: [Pc.principal(payer).willSendEq(amount).ft(contractId, contract.assetName)],
    senderKey: privateKey,
    network,
    fee,
    nonce,
    sponsored,
  });
}

export async function buildPaymentTransaction(
  spec: PaymentTransactionSpec,
  feeChoice: FeeChoice,
): Promise<SignedPaymentTransaction> {
  let fee: bigint;
  if (spec.sponsored) {
    // The origin of a sponsored transaction carries fee 0; the sponsor sets the real fee.
    fee = 0n;
  } else if ('fee' in feeChoice) {
    fee = feeChoice.fee;
  } else {
    // The fee field and the signature have fixed widths, so a draft signed with fee 0 has the
    // final length.
    const draft = await signWithFee(spec, 0n);
    fee = feeForLength(feeChoice.feeRate, serializeTransaction(draft).length / 2);
  }
  const transaction = await signWithFee(spec, fee);
  return {
    transaction,
    hex: serializeTransaction(transaction),
    txid: `0x${transaction.txid()}`,
    fee,
    nonce: spec.nonce,
  };
}
