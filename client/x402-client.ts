/**
 * A `fetch` that pays: x402 v2 over HTTP (DESIGN section 3) with Stacks payments.
 * Send the request; on 402 decode the challenge, pick a requirement, sign a payment transaction,
 * and retry the same request once with `payment-signature`. Uses only web APIs (fetch, Headers,
 * TextEncoder), so it runs in Node, browsers, workers and agents alike.
 */
import { getAddressFromPrivateKey } from '@stacks/transactions';
import { encodeBase64Json } from '../src/payment/header-codec';
import {
  PAYER_ADDRESS_HEADER,
  PAYMENT_ID_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  type PaymentPayload,
  type PaymentRequired,
  type PaymentRequirements,
  type SettlementResponse,
  TOKEN_TYPE_HEADER,
  X402_VERSION,
} from '../src/payment/protocol';
import type { StacksNetworkName, TokenType } from '../src/stacks/tokens';
import { type PaymentRefusalCode, X402ClientError } from './errors';
import { decodePaymentRequired, decodeSettlementResponse } from './payment-required';
import { buildPaymentTransaction, type FeeChoice } from './payment-transaction';
import { selectRequirement } from './select-requirement';
import { type FetchFunction, fetchFeeRate, fetchNextNonce } from './stacks-api';

/** Default `maxFee`: 0.1 STX, far above any normal fee, low enough to stop a runaway estimate. */
export const DEFAULT_MAX_FEE = 100_000n;

export interface X402ClientOptions {
  /** Hex secp256k1 private key of the payer (64 hex digits, or 66 with the `01` suffix). */
  privateKey: string;
  /** The Stacks network this client pays on; requirements on any other network are refused. */
  network: StacksNetworkName;
  /** Stacks API base URL, for the payer's nonce and the fee rate. */
  stacksApiUrl: string;
  /** Token to pay with when the server offers it (also sent as `X-PAYMENT-TOKEN-TYPE`). */
  preferredToken?: TokenType;
  /** Most this client pays for one call, in atomic units of the chosen token. */
  maxAmount?: bigint | number | string;
  /** A fixed transaction fee in µSTX, instead of the Stacks API's fee rate. */
  fee?: bigint | number | string;
  /** Most µSTX of transaction fee the client accepts from the fee estimate. */
  maxFee?: bigint | number | string;
  /** Injected fetch (tests, proxies, instrumented agents); defaults to the global one. */
  fetch?: FetchFunction;
}

/** The payment this client signed and sent with the retried request. */
export interface SentPayment {
  /** The requirement paid, exactly as the server listed it (and as sent back in `accepted`). */
  requirement: PaymentRequirements;
  tokenType: TokenType;
  /** The payer: the address of this client's private key. */
  from: string;
  nonce: bigint;
  /** Transaction fee in µSTX. */
  fee: bigint;
  /** `0x`-prefixed transaction id. */
  txid: string;
  /** The serialized transaction, hex, as sent in `payload.transaction`. */
  transaction: string;
}

/** The server's final answer (after paying, when it asked for payment). */
export interface X402Response {
  type: 'response';
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else its text. */
  body: unknown;
  /** The 402 challenge answered on the way, if there was one. */
  paymentRequired?: PaymentRequired;
  payment?: SentPayment;
  /** The decoded `payment-response` receipt. */
  paymentResponse?: SettlementResponse;
  /** `x-payment-id`: the id for `GET /payment-status/{paymentId}`. */
  paymentId?: string;
  /** `x-payer-address`: the payer as the server identified it. */
  payer?: string;
}

/** The server asked for a payment this client would not make; nothing was signed or sent. */
export interface X402Refusal {
  type: 'refused';
  code: PaymentRefusalCode;
  message: string;
  /** The 402 that was refused. */
  status: number;
  headers: Headers;
  body: unknown;
  paymentRequired?: PaymentRequired;
}

export type X402Result = X402Response | X402Refusal;

export interface X402Client {
  /** The payer's Stacks address. */
  readonly address: string;
  readonly network: StacksNetworkName;
  fetch(input: string | URL, init?: RequestInit): Promise<X402Result>;
}

function toAtomic(name: string, value: bigint | number | string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint' ? value >= 0n : /^[0-9]+$/.test(String(value))) {
    return BigInt(value);
  }
  throw new X402ClientError('invalid_options', `${name} must be a non-negative integer`);
}

function parseBody(headers: Headers, text: string): unknown {
  if (!/[/+]json\b/i.test(headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retrying needs the body twice, so a one-shot stream is read into bytes first. */
async function replayableBody(body: RequestInit['body']): Promise<RequestInit['body']> {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    return new Uint8Array(await new Response(body).arrayBuffer());
  }
  return body;
}

/** What to do about a 402: pay with this header, or refuse for this reason. */
type PaymentPlan =
  | { type: 'pay'; paymentRequired: PaymentRequired; signature: string; payment: SentPayment }
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
  const fixedFee = toAtomic('fee', options.fee);
  const maxFee = toAtomic('maxFee', options.maxFee) ?? DEFAULT_MAX_FEE;
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchFn(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new X402ClientError('resource_unreachable', `cannot reach ${url}`, { cause: error });
    }
  }

  async function readResponse(response: Response) {
    const text = await response.text();
    const fields = {
      status: response.status,
      headers: response.headers,
      body: parseBody(response.headers, text),
    };
    return { fields, text };
  }

  /** From a 402 to a signed `payment-signature` header, or the reason not to pay. */
  async function planPayment(headers: Headers, bodyText: string): Promise<PaymentPlan> {
    const decoded = decodePaymentRequired(headers, bodyText);
    if (!decoded.ok) {
      return { type: 'refuse', code: 'invalid_payment_required', message: decoded.reason };
    }
    const { paymentRequired } = decoded;
    const selection = selectRequirement(paymentRequired.accepts, {
      network,
      preferredToken,
      maxAmount,
    });
    if (selection.type === 'refused') {
      const { code, message } = selection;
      return { type: 'refuse', code, message, paymentRequired };
    }

    const nonce = await fetchNextNonce(fetchFn, stacksApiUrl, address);
    const feeChoice: FeeChoice =
      fixedFee !== undefined
        ? { fee: fixedFee }
        : { feeRate: await fetchFeeRate(fetchFn, stacksApiUrl) };
    const signed = await buildPaymentTransaction(
      { ...selection, network, privateKey, payer: address, nonce },
      feeChoice,
    );
    if (fixedFee === undefined && signed.fee > maxFee) {
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
      accepted: selection.requirement,
      payload: { transaction: signed.hex },
    };
    return {
      type: 'pay',
      paymentRequired,
      signature: encodeBase64Json(payload),
      payment: {
        requirement: selection.requirement,
        tokenType: selection.tokenType,
        from: address,
        nonce: signed.nonce,
        fee: signed.fee,
        txid: signed.txid,
        transaction: signed.hex,
      },
    };
  }

  async function payingFetch(input: string | URL, init: RequestInit = {}): Promise<X402Result> {
    const url = String(input);
    const headers = new Headers(init.headers);
    if (preferredToken !== undefined) headers.set(TOKEN_TYPE_HEADER, preferredToken);
    const request: RequestInit = { ...init, headers, body: await replayableBody(init.body) };

    const first = await readResponse(await send(url, request));
    if (first.fields.status !== 402) return { type: 'response', ...first.fields };

    const plan = await planPayment(first.fields.headers, first.text);
    if (plan.type === 'refuse') {
      const { code, message, paymentRequired } = plan;
      return { type: 'refused', code, message, ...first.fields, paymentRequired };
    }
    // One retry only: a 402 to the paid request is the server's verdict on this payment.
    const paidHeaders = new Headers(headers);
    paidHeaders.set(PAYMENT_SIGNATURE_HEADER, plan.signature);
    const { fields } = await readResponse(await send(url, { ...request, headers: paidHeaders }));
    return {
      type: 'response',
      ...fields,
      paymentRequired: plan.paymentRequired,
      payment: plan.payment,
      paymentResponse: decodeSettlementResponse(fields.headers.get(PAYMENT_RESPONSE_HEADER)),
      paymentId: fields.headers.get(PAYMENT_ID_HEADER) ?? undefined,
      payer: fields.headers.get(PAYER_ADDRESS_HEADER) ?? undefined,
    };
  }

  return { address, network, fetch: payingFetch };
}
