/**
 * Checks shared by the tests of the paying client's main path: the fake server's receipt, and
 * what every paid request must carry, decoded from what the client actually sent.
 */
import {
  AddressVersion,
  addressFromVersionHash,
  addressToString,
  Cl,
  type ContractCallPayload,
  isContractCallPayload,
  PostConditionMode,
  type StacksTransactionWire,
  serializeTransaction,
} from '@stacks/transactions';
import { expect } from 'vitest';
import type { PaymentRequirements } from '../../src/payment/protocol';
import type { FakePaidApi, FakeReply, RecordedRequest } from './fake-paid-api';
import {
  challengeFor,
  PAY_TO,
  PAYER,
  PAYMENT_ID,
  PRICES,
  payloadOf,
  stacksRequirements,
  TESTNET,
  transactionOf,
} from './fixtures';
import type { ClientHarness } from './harness';

// Non-ASCII on purpose: base64 of UTF-8 must carry it both ways unchanged.
export const DESCRIPTION = 'SHA-256 — « données » 漢字 🚀';
/** The receipt's `x-payment-status-url`: the client takes the server's word over its own guess. */
export const STATUS_URL = `https://status.api.test/payment-status/${PAYMENT_ID}`;
export const HASH = 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';

/** A 200 with a receipt for the transaction the request carried. */
export function receipt(request: RecordedRequest): FakeReply {
  return {
    status: 200,
    body: { hash: HASH, note: 'é✓' },
    headers: {
      'x-payment-id': PAYMENT_ID,
      'x-payer-address': PAYER,
      'x-payment-status-url': STATUS_URL,
    },
    settlement: {
      success: true,
      payer: PAYER,
      transaction: `0x${transactionOf(request).txid()}`,
      network: TESTNET,
      extensions: { note: 'reçu ✓ 受領' },
    },
  };
}

/** A server asking for `accepts` (described with DESCRIPTION) and answering `receipt`. */
export function startReceiptServer(
  harness: ClientHarness,
  accepts = stacksRequirements('testnet', PAY_TO, PRICES),
) {
  return harness.startServer({ challenge: challengeFor(accepts, DESCRIPTION), onPaid: receipt });
}

function signerAddress(tx: StacksTransactionWire): string {
  const { signer } = tx.auth.spendingCondition;
  return addressToString(addressFromVersionHash(AddressVersion.TestnetSingleSig, signer));
}

/** Checks what every paid request must satisfy, whatever the token; returns its transaction. */
export function expectValidPayment(
  server: FakePaidApi,
  request: RecordedRequest,
  accepted: PaymentRequirements,
) {
  const payload = payloadOf(request);
  expect(payload.x402Version).toBe(2);
  expect(payload.accepted).toEqual(accepted);
  expect(payload.resource).toEqual({
    url: `${server.url}/hashing/sha256`,
    description: DESCRIPTION,
    mimeType: 'application/json',
  });
  const tx = transactionOf(request);
  // The hex is the canonical serialization: nothing trailing, nothing re-encoded.
  expect(serializeTransaction(tx)).toBe(payload.payload.transaction);
  expect(tx.transactionVersion).toBe(0x80);
  expect(tx.chainId).toBe(0x80000000);
  expect(signerAddress(tx)).toBe(PAYER);
  expect(() => tx.verifyOrigin()).not.toThrow();
  expect(tx.auth.spendingCondition.nonce).toBe(7n);
  return tx;
}

/** A SIP-010 `transfer(amount, payer, payTo, none)` on `contractId`, in deny mode. */
export function expectTokenTransferCall(
  tx: StacksTransactionWire,
  contractId: string,
  amount: bigint,
) {
  if (!isContractCallPayload(tx.payload)) throw new Error('not a contract call');
  const payload: ContractCallPayload = tx.payload;
  expect(`${addressToString(payload.contractAddress)}.${payload.contractName.content}`).toBe(
    contractId,
  );
  expect(payload.functionName.content).toBe('transfer');
  expect(payload.functionArgs).toEqual([
    Cl.uint(amount),
    Cl.principal(PAYER),
    Cl.principal(PAY_TO),
    Cl.none(),
  ]);
  expect(tx.postConditionMode).toBe(PostConditionMode.Deny);
}
