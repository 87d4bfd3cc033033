/**
 * The paying client's half of x402 v2 over HTTP, for tests that drive the real app: ask, get the
 * 402, sign a payment for one of its `accepts` entries, and retry with the `payment-signature`.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { PaymentRequirements } from '../../../src/payment/protocol';
import type { TokenType } from '../../../src/stacks/tokens';
import { paymentRequiredOf, type TestApp } from './app';
import { buildPayment, type PaymentOptions, paymentHeader } from './payments';

export interface PaidRequest {
  /** A JSON body, sent with POST; without one the request is a GET. */
  body?: unknown;
  /** The bindings, for a test that changes the configuration. */
  bindings?: Env;
  /** The payment transaction (nonce, token: STX unless said otherwise, ...). */
  payment?: PaymentOptions;
  /** Fields added to the payment payload (`extensions`, ...). */
  payload?: Record<string, unknown>;
}

export interface SignedPayment {
  /** The `payment-signature` header. */
  header: string;
  txid: string;
  accepted: PaymentRequirements;
}

/** Sends the request, with `headers` added. */
export async function sendRequest(
  app: TestApp,
  path: string,
  request: PaidRequest,
  headers: Record<string, string> = {},
): Promise<Response> {
  const bindings = request.bindings ?? env;
  return request.body === undefined
    ? app.request(path, { headers }, bindings)
    : app.post(path, request.body, headers, bindings);
}

/** Asks without paying, expects the 402, and answers its requirement for `token`. */
export async function requirementFor(
  app: TestApp,
  path: string,
  request: PaidRequest = {},
  token: TokenType = 'STX',
): Promise<PaymentRequirements> {
  const challenge = await sendRequest(app, path, request);
  expect(challenge.status).toBe(402);
  const accepted = paymentRequiredOf(challenge).accepts.find((a) => a.extra.tokenType === token);
  if (!accepted) throw new Error(`the 402 offers no ${token} requirement`);
  return accepted;
}

/** Asks without paying, expects the 402, and signs a payment for the token's requirement. */
export async function signPaymentFor(
  app: TestApp,
  path: string,
  request: PaidRequest = {},
): Promise<SignedPayment> {
  const accepted = await requirementFor(app, path, request, request.payment?.token);
  const tx = await buildPayment(request.payment);
  return { header: paymentHeader(tx, accepted, request.payload), txid: tx.txid(), accepted };
}

/** Gets the 402, pays it and retries: the paid request's response. */
export async function payFor(
  app: TestApp,
  path: string,
  request: PaidRequest = {},
): Promise<Response> {
  const { header } = await signPaymentFor(app, path, request);
  return sendRequest(app, path, request, { 'payment-signature': header });
}

/** `payFor`, expecting a 200: its JSON. */
export async function paidJson<T = unknown>(
  app: TestApp,
  path: string,
  request: PaidRequest = {},
): Promise<T> {
  const res = await payFor(app, path, request);
  expect(res.status).toBe(200);
  return res.json<T>();
}
