/**
 * Paid requests of any method (the storage routes read, write and delete), each signed by one of
 * two payers with a fresh nonce, so a test can make many paid calls as the same payer.
 */
import { expect } from 'vitest';
import { paymentRequiredOf, type TestApp } from './app';
import { buildPayment, OTHER, OTHER_KEY, PAYER, PAYER_KEY, paymentHeader } from './payments';

export type Payer = 'A' | 'B';
export const ADDRESS: Record<Payer, string> = { A: PAYER, B: OTHER };
const KEY: Record<Payer, string> = { A: PAYER_KEY, B: OTHER_KEY };
const nonces: Record<Payer, bigint> = { A: 0n, B: 0n };

export interface StorageCall {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  as?: Payer;
}

/** The request unpaid (expected to be a 402 unless the test says otherwise). */
export function unpaid(app: TestApp, path: string, { method, body }: StorageCall = {}) {
  return app.request(path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Gets the 402, pays it as payer `as` (A by default) with its next nonce, and retries. */
export async function paid(app: TestApp, path: string, call: StorageCall = {}): Promise<Response> {
  const challenge = await unpaid(app, path, call);
  expect(challenge.status).toBe(402);
  const accepted = paymentRequiredOf(challenge).accepts.find((a) => a.extra.tokenType === 'STX');
  if (!accepted) throw new Error('the 402 offers no STX requirement');
  const as = call.as ?? 'A';
  const tx = await buildPayment({ senderKey: KEY[as], nonce: nonces[as]++ });
  const method = call.method ?? (call.body === undefined ? 'GET' : 'POST');
  return app.request(path, {
    method,
    headers: {
      'content-type': 'application/json',
      'payment-signature': paymentHeader(tx, accepted),
    },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
}

/** `paid`, expecting `status`: the JSON answer. */
export async function paidJson<T = Record<string, unknown>>(
  app: TestApp,
  path: string,
  call: StorageCall = {},
  status = 200,
): Promise<T> {
  const res = await paid(app, path, call);
  const json = await res.json<T>();
  expect({ status: res.status, json }).toMatchObject({ status });
  return json;
}
