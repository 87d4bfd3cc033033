import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { createApp } from '../../../src/app';
import { decodeBase64Json } from '../../../src/payment/header-codec';
import type { PaymentRequired, SettlementResponse } from '../../../src/payment/protocol';
import { ROUTES } from '../../../src/routes';
import type { ApiRoute } from '../../../src/routes/registry';
import { FakeChain, FakeSettler, FakeTracker } from './fakes';

export const BASE = 'http://api.test';

export type TestApp = ReturnType<typeof testApp>;

/** The real app over the real bindings, with a fake settler (and optionally extra routes). */
export function testApp(extraRoutes: ApiRoute[] = []) {
  const settler = new FakeSettler();
  const tracker = new FakeTracker();
  const chain = new FakeChain();
  const app = createApp({
    deps: { settlerFor: () => settler, startTracking: tracker.start, chainFor: () => chain },
    routes: [...ROUTES, ...extraRoutes],
  });
  const request = (path: string, init: RequestInit = {}, bindings: Env = env) =>
    app.request(`${BASE}${path}`, init, bindings);
  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
    bindings: Env = env,
  ) =>
    request(
      path,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      },
      bindings,
    );
  return { app, settler, tracker, chain, request, post };
}

/**
 * A request refused before any 402: a free 400 with no challenge, the error's `code`, the sentence
 * that says nothing was charged, and nothing settled.
 */
export async function expectFreeRejection(app: TestApp, res: Response, code: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('payment-required')).toBeNull();
  const json = (await res.json()) as { code: string; message: string };
  expect(json.code).toBe(code);
  expect(json.message).toMatch(/^The request is invalid \(nothing was charged\): /);
  expect(app.settler.settled).toHaveLength(0);
}

export function decodeHeader<T>(value: string | null): T {
  if (value === null) throw new Error('header missing');
  const decoded = decodeBase64Json(value);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value as T;
}

export const paymentRequiredOf = (res: Response) =>
  decodeHeader<PaymentRequired>(res.headers.get('payment-required'));
export const paymentResponseOf = (res: Response) =>
  decodeHeader<SettlementResponse>(res.headers.get('payment-response'));

export async function ledgerRows() {
  const { results } = await env.DB.prepare('SELECT * FROM payments ORDER BY created_at').all<
    Record<string, unknown>
  >();
  return results;
}
