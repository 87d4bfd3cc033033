import { describe, expect, it } from 'vitest';
import { BASE, paymentRequiredOf, testApp } from './support/app';
import { PAY_TO, SBTC, TESTNET, USDCX } from './support/payments';

const extra = (tokenType: string, tokenContract?: string, decimals = 6) => ({
  tokenType,
  ...(tokenContract ? { tokenContract } : {}),
  decimals,
  pricingTier: 'standard',
});

const STX_REQ = {
  scheme: 'exact',
  network: TESTNET,
  amount: '1000',
  asset: 'STX',
  payTo: PAY_TO,
  maxTimeoutSeconds: 300,
  extra: extra('STX'),
};
const SBTC_REQ = {
  scheme: 'exact',
  network: TESTNET,
  amount: '2',
  asset: SBTC,
  payTo: PAY_TO,
  maxTimeoutSeconds: 300,
  extra: extra('sBTC', SBTC, 8),
};
const USDCX_REQ = {
  scheme: 'exact',
  network: TESTNET,
  amount: '1000',
  asset: USDCX,
  payTo: PAY_TO,
  maxTimeoutSeconds: 300,
  extra: extra('USDCx', USDCX),
};

const PAYMENT_IDENTIFIER = {
  info: { required: false },
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
      required: { type: 'boolean' },
    },
    required: ['id'],
  },
};

describe('the 402 challenge', () => {
  it('answers a paid route without payment with the exact x402 v2 PaymentRequired, in header and body', async () => {
    const { post, settler } = testApp();
    const res = await post('/hashing/sha256', { data: 'hello' });
    expect(res.status).toBe(402);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const expected = {
      x402Version: 2,
      error: 'payment_required',
      resource: {
        url: `${BASE}/hashing/sha256`,
        description: 'SHA-256 hash',
        mimeType: 'application/json',
      },
      accepts: [STX_REQ, SBTC_REQ, USDCX_REQ],
      extensions: {
        'payment-identifier': PAYMENT_IDENTIFIER,
        delivery: {
          info: {
            mode: 'mempool',
            confirmationWaitSeconds: 20,
            confirmedOnlyFor: 'payers whose earlier delivered payment failed or was replaced',
          },
        },
        // How to call the route (its schemas: test/worker/discovery-manifest.test.ts).
        bazaar: {
          info: {
            input: {
              type: 'http',
              method: 'POST',
              bodyType: 'json',
              body: { data: 'hello world', encoding: 'hex' },
            },
            output: {
              type: 'json',
              example: {
                hash: '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
                algorithm: 'sha256',
                encoding: 'hex',
                inputLength: 11,
              },
            },
          },
          schema: expect.objectContaining({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            required: ['input'],
          }),
        },
      },
    };
    expect(paymentRequiredOf(res)).toEqual(expected);
    expect(await res.json()).toEqual({
      ...expected,
      code: 'payment_required',
      message:
        'This route is paid: sign one of the `accepts` entries and retry with a `payment-signature` header.',
    });
    expect(settler.settled).toHaveLength(0);
  });

  it('puts the token named by X-PAYMENT-TOKEN-TYPE first', async () => {
    const { post } = testApp();
    const res = await post('/hashing/sha256', { data: 'x' }, { 'X-PAYMENT-TOKEN-TYPE': 'sBTC' });
    expect(paymentRequiredOf(res).accepts.map((a) => a.extra.tokenType)).toEqual([
      'sBTC',
      'STX',
      'USDCx',
    ]);
  });

  it('puts the token named by ?tokenType= first, with USDC as an alias of USDCx', async () => {
    const { post } = testApp();
    const res = await post('/hashing/sha256?tokenType=usdc', { data: 'x' });
    const challenge = paymentRequiredOf(res);
    expect(challenge.accepts.map((a) => a.extra.tokenType)).toEqual(['USDCx', 'STX', 'sBTC']);
    expect(challenge.resource.url).toBe(`${BASE}/hashing/sha256?tokenType=usdc`);
  });

  it('ignores an unknown token preference and keeps the default order', async () => {
    const { post } = testApp();
    const res = await post('/hashing/sha256', { data: 'x' }, { 'X-PAYMENT-TOKEN-TYPE': 'DOGE' });
    expect(paymentRequiredOf(res).accepts.map((a) => a.extra.tokenType)).toEqual([
      'STX',
      'sBTC',
      'USDCx',
    ]);
  });

  it('lets browsers read the payment headers (CORS)', async () => {
    const { post, request } = testApp();
    const res = await post('/hashing/sha256', { data: 'x' }, { origin: 'https://example.org' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe(
      'payment-required,payment-response,x-payment-id,x-transaction-id,x-payer-address,x-payment-status-url,x-inference-cost-usd,retry-after',
    );
    const preflight = await request('/hashing/sha256', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'payment-signature,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'payment-signature,x-payment,x-payment-token-type,content-type',
    );
  });

  it('validates the request before the 402: nobody pays for a 400', async () => {
    const { post, request } = testApp();
    const bad = await post('/hashing/sha256', { data: '0xabc' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('payment-required')).toBeNull();
    expect(await bad.json()).toMatchObject({ code: 'invalid_hex' });
    const notJson = await request('/hashing/sha256', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      code: 'invalid_json',
      message: 'The request body is not valid JSON (nothing was charged).',
    });
  });

  it('answers unknown paths with a free 404, never a 402', async () => {
    const { post, request } = testApp();
    const res = await post('/hashing/sha3-512', { data: 'x' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'not_found',
      message:
        'No route matches POST /hashing/sha3-512; GET / lists every route (nothing was charged).',
    });
    expect((await request('/hashing/sha256')).status).toBe(404);
  });
});
