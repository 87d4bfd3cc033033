/**
 * A `fetch` that pays: x402 v2 over HTTP (DESIGN section 3) with Stacks payments.
 * Send the request; on 402 decode the challenge, pick a requirement within the caps and the
 * budget, sign one payment transaction with a payment identifier, and send the same request with
 * `payment-signature`. What follows (retries, `409`, `202` and the wait for delivery) reuses that
 * one header: `paid-request.ts`. Uses only web APIs (fetch, Headers, crypto, timers), so it runs in
 * Node, browsers, workers and agents alike.
 */
import { getAddressFromPrivateKey } from '@stacks/transactions';
import { encodeBase64Json } from '../src/payment/header-codec';
import {
  PAYMENT_SIGNATURE_HEADER,
  type PaymentPayload,
  type PaymentRequired,
  TOKEN_TYPE_HEADER,
  X402_VERSION,
} from '../src/payment/protocol';
import type { TokenType } from '../src/stacks/tokens';
import type {
  SentPayment,
  X402CallOptions,
  X402Client,
  X402ClientOptions,
  X402Result,
} from './client-api';
import { type PaymentRefusalCode, X402ClientError } from './errors';
import { readResponse, replayableBody } from './http';
import { exchangePaidRequest } from './paid-request';
import {
  isValidPaymentIdentifier,
  newPaymentIdentifier,
  paymentIdentifierExtension,
} from './payment-identifier';
import { decodePaymentRequired } from './payment-required';
import { paymentResult } from './payment-result';
import { fetchPaymentStatus, paymentStatusUrl } from './payment-status';
import { buildPaymentTransaction, type FeeChoice } from './payment-transaction';
import { selectRequirement } from './select-requirement';
import { createSpendLedger, validateTokenAmounts } from './spend-limits';
import { type FetchFunction, fetchFeeRate, fetchNextNonce } from './stacks-api';

/** Default `maxFee`: 0.1 STX, far above any normal fee, low enough to stop a runaway estimate. */
export const DEFAULT_MAX_FEE = 100_000n;
/** Default `deliveryTimeoutMs`: how long to wait after a 202 before handing it back. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;
/** Default `paidRequestTimeoutMs`. */
export const DEFAULT_PAID_REQUEST_TIMEOUT_MS = 60_000;

function toAtomic(name: string, value: bigint | number | string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint' ? value >= 0n : /^[0-9]+$/.test(String(value))) {
    return BigInt(value);
  }
  throw new X402ClientError('invalid_options', `${name} must be a non-negative integer`);
}

function toMilliseconds(
  name: string,
  value: number | undefined,
  fallback: number,
  code: 'invalid_options' | 'invalid_argument' = 'invalid_options',
): number {
  if (value === undefined) return fallback;
  if (Number.isFinite(value) && value >= 0) return value;
  throw new X402ClientError(code, `${name} must be a non-negative number of ms`);
}

/** What to do about a 402: pay with this header, or refuse for this reason. */
type PaymentPlan =
  | {
      type: 'pay';
      paymentRequired: PaymentRequired;
      signature: string;
      payment: SentPayment;
      /** Counts the amount as spent; call once the payment is about to be sent. */
      commit(): void;
    }
  | {
      type: 'refuse';
      code: PaymentRefusalCode;
      message: string;
      paymentRequired?: PaymentRequired;
    };

export function createX402Client(options: X402ClientOptions): X402Client {
  const { privateKey, network, preferredToken } = options;
  if (network !== 'testnet' && network !== 'mainnet') {
    throw new X402ClientError('invalid_options', 'network must be "testnet" or "mainnet"');
  }
  let address: string;
  try {
    address = getAddressFromPrivateKey(privateKey, network);
  } catch (error) {
    throw new X402ClientError('invalid_options', 'privateKey is not a valid private key', {
      cause: error,
    });
  }
  const stacksApiUrl = options.stacksApiUrl.replace(/\/+$/, '');
  const maxAmount = toAtomic('maxAmount', options.maxAmount);
  const maxAmountPerCall = validateTokenAmounts('maxAmountPerCall', options.maxAmountPerCall);
  const ledger = createSpendLedger(validateTokenAmounts('budget', options.budget));
  const fixedFee = toAtomic('fee', options.fee);
  const maxFee = toAtomic('maxFee', options.maxFee) ?? DEFAULT_MAX_FEE;
  const deliveryTimeoutMs = toMilliseconds(
    'deliveryTimeoutMs',
    options.deliveryTimeoutMs,
    DEFAULT_DELIVERY_TIMEOUT_MS,
  );
  const paidRequestTimeoutMs = toMilliseconds(
    'paidRequestTimeoutMs',
    options.paidRequestTimeoutMs,
    DEFAULT_PAID_REQUEST_TIMEOUT_MS,
  );
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchFn(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new X402ClientError('resource_unreachable', `cannot reach ${url}`, { cause: error });
    }
  }

  /** From a 402 to a signed `payment-signature` header, or the reason not to pay. */
  async function planPayment(
    headers: Headers,
    bodyText: string,
    paymentIdentifier: string,
    preferredToken: TokenType | undefined,
  ): Promise<PaymentPlan> {
    const decoded = decodePaymentRequired(headers, bodyText);
    if (!decoded.ok) {
      return { type: 'refuse', code: 'invalid_payment_required', message: decoded.reason };
    }
    const { paymentRequired } = decoded;
    const selection = selectRequirement(paymentRequired.accepts, {
      network,
      preferredToken,
      maxAmount,
      maxAmountPerCall,
    });
    if (selection.type === 'refused') {
      const { code, message } = selection;
      return { type: 'refuse', code, message, paymentRequired };
    }
    const { requirement, tokenType } = selection;
    const reservation = ledger.reserve(tokenType, BigInt(requirement.amount));
    if (reservation.type === 'refused') {
      const { message } = reservation;
      return { type: 'refuse', code: 'budget_exceeded', message, paymentRequired };
    }
    try {
      const nonce = await fetchNextNonce(fetchFn, stacksApiUrl, address);
      const feeChoice: FeeChoice =
        fixedFee !== undefined
          ? { fee: fixedFee }
          : { feeRate: await fetchFeeRate(fetchFn, stacksApiUrl) };
      const signed = await buildPaymentTransaction(
        { requirement, tokenType, network, privateKey, payer: address, nonce },
        feeChoice,
      );
      if (fixedFee === undefined && signed.fee > maxFee) {
        reservation.release();
        return {
          type: 'refuse',
          code: 'fee_above_cap',
          message: `the estimated fee of ${signed.fee} µSTX is above the cap of ${maxFee}`,
          paymentRequired,
        };
      }
      const payload: PaymentPayload = {
        x402Version: X402_VERSION,
        resource: paymentRequired.resource,
        accepted: requirement,
        payload: { transaction: signed.hex },
        extensions: paymentIdentifierExtension(paymentIdentifier),
      };
      const { fee, txid, hex } = signed;
      return {
        type: 'pay',
        paymentRequired,
        signature: encodeBase64Json(payload),
        payment: { requirement, tokenType, from: address, nonce, fee, txid, transaction: hex },
        commit: reservation.commit,
      };
    } catch (error) {
      reservation.release();
      throw error;
    }
  }

  async function payingFetch(
    input: string | URL,
    init: RequestInit = {},
    call: X402CallOptions = {},
  ): Promise<X402Result> {
    const paymentIdentifier = call.paymentIdentifier ?? newPaymentIdentifier();
    if (!isValidPaymentIdentifier(paymentIdentifier)) {
      throw new X402ClientError(
        'invalid_argument',
        'paymentIdentifier must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -',
      );
    }
    const waitForDelivery = call.waitForDelivery ?? options.waitForDelivery ?? true;
    const callDeliveryTimeoutMs = toMilliseconds(
      'deliveryTimeoutMs',
      call.deliveryTimeoutMs,
      deliveryTimeoutMs,
      'invalid_argument',
    );
    const url = String(input);
    const callToken = call.preferredToken ?? preferredToken;
    const headers = new Headers(init.headers);
    if (callToken !== undefined) headers.set(TOKEN_TYPE_HEADER, callToken);
    const request: RequestInit = { ...init, headers, body: await replayableBody(init.body) };

    const first = await readResponse(await send(url, request));
    const firstFields = { status: first.status, headers: first.headers, body: first.body };
    if (first.status !== 402) return { type: 'response', ...firstFields };

    const plan = await planPayment(first.headers, first.text, paymentIdentifier, callToken);
    if (plan.type === 'refuse') {
      const { code, message, paymentRequired } = plan;
      return { type: 'refused', code, message, ...firstFields, paymentRequired };
    }
    const paidHeaders = new Headers(headers);
    paidHeaders.set(PAYMENT_SIGNATURE_HEADER, plan.signature);
    // From here the transaction may reach the chain, whatever happens to the request.
    plan.commit();
    const outcome = await exchangePaidRequest({
      fetchFn,
      url,
      request: { ...request, headers: paidHeaders },
      paymentIdentifier,
      txid: plan.payment.txid,
      attemptTimeoutMs: paidRequestTimeoutMs,
      waitForDelivery,
      deliveryTimeoutMs: callDeliveryTimeoutMs,
      onPaymentStatus: call.onPaymentStatus,
      onResend: call.onResend,
    });
    const { paymentRequired, payment } = plan;
    return paymentResult(outcome, url, { paymentRequired, payment, paymentIdentifier });
  }

  return {
    address,
    network,
    fetch: payingFetch,
    paymentStatus: async (paymentIdOrUrl, signal) =>
      fetchPaymentStatus(fetchFn, paymentStatusUrl(paymentIdOrUrl, options.apiUrl), signal),
    spent: ledger.spent,
  };
}
