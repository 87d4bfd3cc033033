/**
 * Paid calls to the inference routes: ask, read the 402 (dynamic prices differ per request), pay
 * the amount it asks in the chosen token with a fresh nonce, and retry. Streaming tests pass an
 * execution context, so the work recorded when a stream ends can be awaited
 * (`waitOnExecutionContext`).
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { PaymentRequired, PaymentRequirements } from '../../../src/payment/protocol';
import type { TokenType } from '../../../src/stacks/tokens';
import { BASE, paymentRequiredOf, type TestApp } from './app';
import { buildPayment, paymentHeader } from './payments';

/** The Worker's env with an OpenRouter key (a secret, so not in wrangler.toml) and fixed prices. */
export const INFERENCE_ENV = {
  ...env,
  OPENROUTER_API_KEY: 'sk-or-test',
  INFERENCE_MARGIN: '0.2',
  INFERENCE_MINIMUM_USD: '0.001',
  STX_USD_PRICE: '0.6',
  BTC_USD_PRICE: '100000',
  INFERENCE_DEFAULT_MAX_TOKENS: '1024',
  OPENROUTER_CATALOGUE_TTL_SECONDS: '300',
} as Env;

let nonce = 0n;

export interface InferenceCall {
  token?: TokenType;
  bindings?: Env;
  ctx?: ExecutionContext;
}

/** The unpaid request (a 402, or a refusal before it). */
export function ask(app: TestApp, path: string, body: unknown, bindings: Env = INFERENCE_ENV) {
  return app.post(path, body, {}, bindings);
}

export async function challengeFor(
  app: TestApp,
  path: string,
  body: unknown,
  bindings: Env = INFERENCE_ENV,
): Promise<PaymentRequired> {
  const res = await ask(app, path, body, bindings);
  expect(res.status).toBe(402);
  return paymentRequiredOf(res);
}

export interface PaidCall {
  res: Response;
  accepted: PaymentRequirements;
  paymentId: string;
}

/** Gets the 402, pays its `token` requirement (the amount it asks) and retries. */
export async function payInference(
  app: TestApp,
  path: string,
  body: unknown,
  { token = 'STX', bindings = INFERENCE_ENV, ctx }: InferenceCall = {},
): Promise<PaidCall> {
  const required = await challengeFor(app, path, body, bindings);
  const accepted = required.accepts.find((a) => a.extra.tokenType === token);
  if (!accepted) throw new Error(`the 402 offers no ${token} requirement`);
  const tx = await buildPayment({ token, amount: BigInt(accepted.amount), nonce: nonce++ });
  const res = await app.app.request(
    `${BASE}${path}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'payment-signature': paymentHeader(tx, accepted),
      },
      body: JSON.stringify(body),
    },
    bindings,
    ctx,
  );
  return { res, accepted, paymentId: res.headers.get('x-payment-id') ?? '' };
}

/** The `data` of each server-sent event of a body (comments and blank lines dropped). */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) =>
      event
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n'),
    );
}

export async function usageRow(paymentId: string) {
  return env.DB.prepare('SELECT * FROM inference_usage WHERE payment_id = ?')
    .bind(paymentId)
    .first<Record<string, unknown>>();
}
