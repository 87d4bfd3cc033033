/**
 * What the devnet's x402 facilitator checks before it settles (DESIGN sections 3 to 5): the x402
 * fields of a `/verify` or `/settle` body, then what the transaction pays, with the Worker's own
 * offline verifier (src/stacks/verify-payment.ts), so both sides agree on what a valid payment is.
 * The node's admission checks (nonce, balance, fee...) come after, in facilitator-api.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PaymentErrorCode } from '../src/payment/errors.ts';
import {
  type FacilitatorErrorCode,
  isFacilitatorErrorCode,
} from '../src/payment/facilitator-codes.ts';
import { type PaymentRequirements, X402_VERSION } from '../src/payment/protocol.ts';
import { CAIP2_NETWORK, type TokenType } from '../src/stacks/tokens.ts';
import { verifyStacksPayment } from '../src/stacks/verify-payment.ts';
import { decodeTransaction } from './decoded-tx.ts';
import { DEVNET_TOKENS } from './genesis.ts';
import { isRecord } from './http.ts';

/** The devnet is a testnet chain (chain id 0x80000000). */
export const FACILITATOR_NETWORK = CAIP2_NETWORK.testnet;

/** A payment transaction is about 200 bytes; this only bounds the work a bad body can cause. */
const MAX_PAYMENT_TX_BYTES = 16 * 1024;

/**
 * The verifier's codes that the facilitator vocabulary (src/payment/facilitator-codes.ts) has no
 * word for, mapped to the nearest one: a transaction that does not decode, has trailing bytes, is
 * oversized, is signed by a multisig or a sponsor, calls the token contract with the wrong
 * function or arguments, or carries post-conditions other than "the payer sends exactly the
 * amount" is a malformed payload; a fee under 1 µSTX per byte is what the node would refuse
 * (FeeTooLow), so it is a broadcast failure.
 */
const NEAREST_CODE: Partial<Record<PaymentErrorCode, FacilitatorErrorCode>> = {
  invalid_transaction: 'invalid_payload',
  non_canonical_transaction: 'invalid_payload',
  transaction_too_large: 'invalid_payload',
  unsupported_signer: 'invalid_payload',
  sponsored_not_allowed: 'invalid_payload',
  invalid_transfer_call: 'invalid_payload',
  invalid_post_conditions: 'invalid_payload',
  fee_too_low: 'broadcast_failed',
};

/** stacks-core mempool rejections with a word of their own; any other is `broadcast_failed`. */
const NODE_REJECTION_CODES: Record<string, FacilitatorErrorCode> = {
  NotEnoughFunds: 'insufficient_funds',
  BadNonce: 'client_bad_nonce',
  ConflictingNonceInMempool: 'conflicting_nonce',
};

/** A `/verify` or `/settle` body with the fields present (their values are checked later). */
export interface FacilitatorRequest {
  x402Version: unknown;
  paymentPayload: Record<string, unknown> & { payload: { transaction: string } };
  paymentRequirements: Record<string, unknown>;
}

export type PaymentCheck =
  | { type: 'valid'; payer: string; txid: string; transaction: Uint8Array; sponsored: boolean }
  | { type: 'invalid'; reason: FacilitatorErrorCode; detail: string; payer?: string };

/** The body's fields, or undefined when it lacks them (HTTP 400 `invalid_payload`). */
export function parseFacilitatorRequest(body: unknown): FacilitatorRequest | undefined {
  if (!isRecord(body) || !isRecord(body.paymentPayload) || !isRecord(body.paymentRequirements)) {
    return undefined;
  }
  const inner = body.paymentPayload.payload;
  if (!isRecord(inner) || typeof inner.transaction !== 'string') return undefined;
  return body as unknown as FacilitatorRequest;
}

/**
 * Everything short of mempool admission, in the order a facilitator checks it. A sponsored
 * payment passes only when the facilitator has a sponsor (`acceptSponsored`).
 */
export function checkPayment(request: FacilitatorRequest, acceptSponsored = false): PaymentCheck {
  const { paymentPayload, paymentRequirements: required } = request;
  const transactionHex = paymentPayload.payload.transaction;
  const payer = claimedPayer(transactionHex);
  const invalid = (reason: FacilitatorErrorCode, detail: string): PaymentCheck => ({
    type: 'invalid',
    reason,
    detail,
    ...(payer ? { payer } : {}),
  });
  if (request.x402Version !== X402_VERSION || paymentPayload.x402Version !== X402_VERSION) {
    return invalid('invalid_x402_version', 'only x402Version 2 is supported');
  }
  if (required.scheme !== 'exact') return invalid('invalid_scheme', 'only "exact" is supported');
  if (required.network !== FACILITATOR_NETWORK) {
    return invalid('invalid_network', `this facilitator settles on ${FACILITATOR_NETWORK} only`);
  }
  if (!isRequirements(required)) {
    return invalid('invalid_payment_requirements', 'paymentRequirements is malformed');
  }
  if (!isDeepStrictEqual(paymentPayload.accepted, required)) {
    return invalid('invalid_payment_requirements', 'accepted differs from paymentRequirements');
  }
  const token = tokenOf(required.asset);
  if (!token) return invalid('unrecognized_asset', `${required.asset} is not a devnet asset`);
  const verified = verifyStacksPayment({
    transactionHex,
    requirement: required,
    token,
    network: 'testnet',
    maxBytes: MAX_PAYMENT_TX_BYTES,
    acceptSponsored,
  });
  if (verified.type === 'rejected') return invalid(facilitatorCode(verified.code), verified.detail);
  return {
    type: 'valid',
    payer: verified.payer,
    txid: verified.txid,
    transaction: verified.transaction,
    sponsored: verified.sponsored,
  };
}

/** The facilitator's word for a stacks-core mempool rejection reason. */
export function codeForNodeRejection(reason: string): FacilitatorErrorCode {
  return NODE_REJECTION_CODES[reason] ?? 'broadcast_failed';
}

function facilitatorCode(code: PaymentErrorCode): FacilitatorErrorCode {
  return isFacilitatorErrorCode(code) ? code : (NEAREST_CODE[code] ?? 'invalid_payload');
}

function isRequirements(
  value: Record<string, unknown>,
): value is Record<string, unknown> & PaymentRequirements {
  return (
    typeof value.amount === 'string' &&
    /^\d+$/.test(value.amount) &&
    typeof value.asset === 'string' &&
    typeof value.payTo === 'string' &&
    typeof value.maxTimeoutSeconds === 'number' &&
    isRecord(value.extra)
  );
}

function tokenOf(asset: string): TokenType | undefined {
  if (asset === 'STX') return 'STX';
  return DEVNET_TOKENS.find((token) => token.contractId === asset)?.type;
}

/** The origin the transaction names, when it decodes: the `payer` of a rejection. */
function claimedPayer(transactionHex: string): string | undefined {
  const digits = transactionHex.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(digits) || digits.length / 2 > MAX_PAYMENT_TX_BYTES) {
    return undefined;
  }
  try {
    return decodeTransaction(Uint8Array.from(Buffer.from(digits, 'hex'))).origin;
  } catch {
    return undefined;
  }
}
