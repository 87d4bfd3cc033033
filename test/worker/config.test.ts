/** Fail closed: a broken payment configuration disables paid routes (503), never makes them free. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../src/config';
import { testApp } from './support/app';
import { signPaymentFor } from './support/paid-request';

const BODY = { data: 'hello' };

describe('fail-closed configuration', () => {
  it.each([
    ['PAY_TO', '', 'PAY_TO must be a valid testnet standard address (got "")'],
    [
      'PAY_TO',
      'SP3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N6R5192Q',
      'PAY_TO must be a valid testnet standard address',
    ],
    [
      'PAY_TO',
      'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCQ',
      'PAY_TO must be a valid testnet standard address',
    ],
    ['NETWORK', 'devnet', 'NETWORK must be "mainnet" or "testnet" (got "devnet")'],
    ['NETWORK', '', 'NETWORK must be "mainnet" or "testnet" (got "")'],
    [
      'PRICE_STANDARD_STX',
      '0',
      'PRICE_STANDARD_STX must be a positive integer amount in atomic units (got "0")',
    ],
    [
      'PRICE_STANDARD_SBTC',
      '1.5',
      'PRICE_STANDARD_SBTC must be a positive integer amount in atomic units (got "1.5")',
    ],
    [
      'PRICE_STANDARD_USDCX',
      '',
      'PRICE_STANDARD_USDCX must be a positive integer amount in atomic units (got "")',
    ],
    [
      'STACKS_API_URL',
      'localhost:3999',
      'STACKS_API_URL must be an http(s) URL (got "localhost:3999")',
    ],
    [
      'SETTLEMENT_MODE',
      'trust-me',
      'SETTLEMENT_MODE must be "node" or "facilitator" (got "trust-me")',
    ],
    [
      'SETTLEMENT_MODE',
      'facilitator',
      'FACILITATOR_URL must be an http(s) URL when SETTLEMENT_MODE is "facilitator" (got "")',
    ],
    [
      'DELIVERY_MODE',
      'eventually',
      'DELIVERY_MODE must be "mempool" or "confirmed" (got "eventually")',
    ],
    [
      'CONFIRMATION_WAIT_SECONDS',
      'soon',
      'CONFIRMATION_WAIT_SECONDS must be a whole number of seconds from 0 to 600 (got "soon")',
    ],
    [
      'PAYMENT_IDENTIFIER_REQUIRED',
      'yes',
      'PAYMENT_IDENTIFIER_REQUIRED must be "true" or "false" (got "yes")',
    ],
  ])(
    '%s=%j makes paid routes answer 503, even with a valid payment',
    async (name, value, problem) => {
      const broken = { ...env, [name]: value } as Env;
      const app = testApp();
      const { post, request, settler } = app;
      const { header } = await signPaymentFor(app, '/hashing/sha256', { body: BODY });
      for (const headers of [{}, { 'payment-signature': header }] as Record<string, string>[]) {
        const res = await post('/hashing/sha256', BODY, headers, broken);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { code: string; message: string; problems: string[] };
        expect(body.code).toBe('service_misconfigured');
        expect(body.message).toBe(
          'Payments are not configured on this server, so paid routes are unavailable; nothing was charged.',
        );
        expect(body.problems.join('\n')).toContain(problem);
      }
      expect(settler.settled).toHaveLength(0);
      // Free routes still answer, and say what is wrong.
      const info = await request('/', {}, broken);
      expect(info.status).toBe(200);
      expect(((await info.json()) as { payments: unknown }).payments).toMatchObject({
        enabled: false,
        payTo: null,
      });
      const health = await request('/health', {}, broken);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({
        status: 'degraded',
        checks: { config: 'misconfigured', ledger: 'ok' },
      });
    },
  );

  it('accepts a mainnet configuration with a mainnet payTo', () => {
    const result = parseServiceConfig({
      ENVIRONMENT: 'production',
      NETWORK: 'mainnet',
      PAY_TO: 'SP3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N6R5192Q',
      STACKS_API_URL: 'https://api.hiro.so/',
      PRICE_STANDARD_STX: '1000',
      PRICE_STANDARD_SBTC: '2',
      PRICE_STANDARD_USDCX: '1000',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        environment: 'production',
        network: 'mainnet',
        payTo: 'SP3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N6R5192Q',
        settlementMode: 'node',
        stacksApiUrl: 'https://api.hiro.so',
        standardPrices: { STX: 1000n, sBTC: 2n, USDCx: 1000n },
        maxTimeoutSeconds: 300,
        deliveryMode: 'mempool',
        confirmationWaitMs: 20_000,
        trackingDeadlineMs: 3_600_000,
        nonceGapMaxBlocks: 6,
        paymentIdentifierRequired: false,
        maxTransactionBytes: 4096,
        broadcastTimeoutMs: 10_000,
        stacksApiTimeoutMs: 5_000,
      },
    });
  });
});
