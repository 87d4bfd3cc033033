/**
 * Shared values and helpers of the client tests: the devnet payer and recipient, the prices the
 * fake server asks, and decoders for what the client actually sent.
 */
import { deserializeTransaction, type StacksTransactionWire } from '@stacks/transactions';
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
} from '../../src/payment/protocol';
import {
  assetIdFor,
  CAIP2_NETWORK,
  type StacksNetworkName,
  TOKENS,
  type TokenType,
} from '../../src/stacks/tokens';
import type { X402PaymentFailed, X402Refusal, X402Response, X402Result } from '../client-api';
import type { FakeReply, RecordedRequest } from './fake-paid-api';

export const PAY_TO = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP'; // devnet wallet_8
export const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5'; // devnet wallet_1
export const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';
export const USDCX = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx';
export const PRICES = { STX: '1000', sBTC: '2', USDCx: '1500' };
export const TESTNET = 'stacks:2147483648';
/** A payment id as the Worker makes them: `pay_` and 32 hex digits. */
export const PAYMENT_ID = `pay_${'ab'.repeat(16)}`;
/** The shape of the identifiers the client generates. */
export const GENERATED_IDENTIFIER = /^pid_[A-Za-z0-9_-]{32}$/;
/** What the client asks the Stacks API before it signs: the payer's next nonce, the fee rate. */
export const STACKS_READS = [`GET /extended/v1/address/${PAYER}/nonces`, 'GET /v2/fees/transfer'];

/** Requirements in the shape the Worker builds (DESIGN section 3), one per token, in that order. */
export function stacksRequirements(
  network: StacksNetworkName,
  payTo: string,
  prices: Partial<Record<TokenType, string>>,
): PaymentRequirements[] {
  return (Object.entries(prices) as [TokenType, string][]).map(([tokenType, amount]) => {
    const asset = assetIdFor(tokenType, network);
    return {
      scheme: 'exact',
      network: CAIP2_NETWORK[network],
      amount,
      asset,
      payTo,
      maxTimeoutSeconds: 300,
      extra: {
        tokenType,
        ...(asset === 'STX' ? {} : { tokenContract: asset }),
        decimals: TOKENS[tokenType].decimals,
        pricingTier: 'standard',
      },
    };
  });
}

export function challengeFor(accepts: PaymentRequirements[], description = 'SHA-256 of text') {
  return (resourceUrl: string): PaymentRequired => ({
    x402Version: 2,
    error: 'payment required',
    resource: { url: resourceUrl, description, mimeType: 'application/json' },
    accepts,
    extensions: { 'payment-identifier': { info: { required: true } } },
  });
}

/** A 200 with the hash and a receipt settling the transaction the request carried. */
export function deliveredReply(request: RecordedRequest): FakeReply {
  return {
    status: 200,
    body: { hash: 'b94d27b9' },
    headers: { 'x-payment-id': PAYMENT_ID },
    settlement: {
      success: true,
      transaction: `0x${transactionOf(request).txid()}`,
      network: 'stacks:2147483648',
    },
  };
}

export function payloadOf(request: RecordedRequest): PaymentPayload {
  return request.paymentPayload as PaymentPayload;
}

export function transactionOf(request: RecordedRequest): StacksTransactionWire {
  return deserializeTransaction(payloadOf(request).payload.transaction);
}

/** The `payment-identifier` id a paid request carried. */
export function identifierOf(request: RecordedRequest): unknown {
  const extension = payloadOf(request).extensions?.['payment-identifier'] as
    | { info?: { id?: unknown } }
    | undefined;
  return extension?.info?.id;
}

export function expectResponse(result: X402Result): X402Response {
  if (result.type !== 'response') throw new Error(`expected a response, got ${result.type}`);
  return result;
}

export function expectRefusal(result: X402Result): X402Refusal {
  if (result.type !== 'refused') throw new Error(`expected a refusal, got ${result.type}`);
  return result;
}

export function expectPaymentFailed(result: X402Result): X402PaymentFailed {
  if (result.type !== 'payment_failed')
    throw new Error(`expected payment_failed, got ${result.type}`);
  return result;
}
