/**
 * Real signed Stacks payment transactions for tests, built with @stacks/transactions v7 (fee and
 * nonce always given, so the builders never call the network).
 */
import {
  Cl,
  type ClarityValue,
  createLPList,
  makeContractCall,
  makeSTXTokenTransfer,
  makeUnsignedSTXTokenTransfer,
  Pc,
  type PostCondition,
  PostConditionMode,
  type PostConditionModeName,
  postConditionToWire,
  privateKeyToPublic,
  type StacksTransactionWire,
  serializeTransaction,
  TransactionSigner,
} from '@stacks/transactions';
import { encodeBase64Json } from '../../../src/payment/header-codec';
import type { PaymentRequirements } from '../../../src/payment/protocol';
import { TOKENS, type TokenType } from '../../../src/stacks/tokens';

/** Clarinet devnet wallet_1 and wallet_2: public test keys, never used with real funds. */
export const PAYER_KEY = '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801';
export const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
export const OTHER_KEY = '530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101';
export const OTHER = 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG';
/** The local payTo from wrangler.toml (devnet wallet_8). */
export const PAY_TO = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP';

export const TESTNET = 'stacks:2147483648';
export const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';
export const USDCX = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx';

export interface PaymentOptions {
  token?: TokenType;
  amount?: bigint;
  recipient?: string;
  senderKey?: string;
  nonce?: bigint;
  fee?: bigint;
  network?: 'testnet' | 'mainnet';
  /** For SIP-010 payments: override the contract, function, args or post-conditions. */
  contract?: string;
  functionName?: string;
  functionArgs?: ClarityValue[];
  postConditions?: PostCondition[];
  postConditionMode?: PostConditionModeName;
  sponsored?: boolean;
}

export const PRICES: Record<TokenType, bigint> = { STX: 1000n, sBTC: 2n, USDCx: 1000n };

export async function buildPayment(options: PaymentOptions = {}): Promise<StacksTransactionWire> {
  const token = options.token ?? 'STX';
  const amount = options.amount ?? PRICES[token];
  const recipient = options.recipient ?? PAY_TO;
  const senderKey = options.senderKey ?? PAYER_KEY;
  const common = {
    senderKey,
    network: options.network ?? 'testnet',
    nonce: options.nonce ?? 0n,
    fee: options.fee ?? 500n,
    sponsored: options.sponsored,
  } as const;
  if (token === 'STX') {
    if (!options.postConditions && !options.postConditionMode) {
      return makeSTXTokenTransfer({ ...common, recipient, amount });
    }
    // The builder gives token transfers no post-conditions, so add them before signing.
    const tx = await makeUnsignedSTXTokenTransfer({
      ...common,
      recipient,
      amount,
      publicKey: privateKeyToPublic(senderKey),
    });
    tx.postConditionMode =
      options.postConditionMode === 'allow' ? PostConditionMode.Allow : PostConditionMode.Deny;
    tx.postConditions = createLPList((options.postConditions ?? []).map(postConditionToWire));
    new TransactionSigner(tx).signOrigin(senderKey);
    return tx;
  }
  const ft = TOKENS[token].contract?.testnet;
  if (!ft) throw new Error(`no contract for ${token}`);
  const contract = options.contract ?? `${ft.address}.${ft.contractName}`;
  const [contractAddress, contractName] = contract.split('.');
  const sender = options.senderKey === OTHER_KEY ? OTHER : PAYER;
  return makeContractCall({
    ...common,
    contractAddress,
    contractName,
    functionName: options.functionName ?? 'transfer',
    functionArgs: options.functionArgs ?? [
      Cl.uint(amount),
      Cl.principal(sender),
      Cl.principal(recipient),
      Cl.none(),
    ],
    postConditionMode: options.postConditionMode ?? 'deny',
    postConditions: options.postConditions ?? [
      Pc.principal(sender).willSendEq(amount).ft(`${ft.address}.${ft.contractName}`, ft.assetName),
    ],
  });
}

/** The base64 `payment-signature` header for a transaction (hex) and the requirement it accepts. */
export function paymentHeader(
  transaction: StacksTransactionWire | string,
  accepted: PaymentRequirements,
  overrides: Record<string, unknown> = {},
): string {
  const hex = typeof transaction === 'string' ? transaction : serializeTransaction(transaction);
  return encodeBase64Json({
    x402Version: 2,
    accepted,
    payload: { transaction: hex },
    ...overrides,
  });
}

export const bytesToHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const hexToBytes = (hex: string) =>
  Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
