/**
 * `GET /openapi.json`: OpenAPI 3.1 from the route declarations, valid by swagger-parser, with the
 * 402 response, `x-payment-info` and `x-x402` on every paid operation and servers on the origin.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, testApp } from './support/app';
import { PAY_TO, SBTC, TESTNET, USDCX } from './support/payments';

type Operation = Record<string, unknown> & {
  description?: string;
  responses: Record<string, Record<string, unknown>>;
};
interface Document {
  openapi: string;
  info: Record<string, unknown>;
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
  'x-discovery': Record<string, string>;
}

async function openApi(path = '/openapi.json', base = BASE) {
  const { app } = testApp();
  const res = await app.request(`${base}${path}`, {}, env);
  expect(res.status).toBe(200);
  return { res, doc: (await res.json()) as Document };
}

const STANDARD_PRICES = [
  {
    token: 'STX',
    asset: 'STX',
    amount: '1000',
    atomicUnit: 'microSTX',
    units: '0.001',
    decimals: 6,
  },
  { token: 'sBTC', asset: SBTC, amount: '2', atomicUnit: 'sats', units: '0.00000002', decimals: 8 },
  {
    token: 'USDCx',
    asset: USDCX,
    amount: '1000',
    atomicUnit: 'microUSDCx',
    units: '0.001',
    decimals: 6,
  },
];

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (swagger-parser), and the validator does refuse a broken one', async () => {
    const { doc } = await openApi();
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    const broken = structuredClone(doc);
    const sha = broken.paths['/hashing/sha256']?.post;
    if (sha) sha.responses['402'] = { content: 'not a media map' };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('states servers, discovery links and the guidance on the request origin, cached for 5 minutes', async () => {
    const { res, doc } = await openApi('/openapi.json', 'https://pay.example.org');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(doc.servers).toEqual([{ url: 'https://pay.example.org' }]);
    expect(doc.info).toMatchObject({ title: 'x402 Stacks API', version: '0.1.0' });
    expect(doc.info['x-guidance']).toMatch(/^Call any route without payment first/);
    expect(doc['x-discovery']).toEqual({
      openapi: 'https://pay.example.org/openapi.json',
      docs: 'https://pay.example.org/docs',
      llmsTxt: 'https://pay.example.org/llms.txt',
      llmsFullTxt: 'https://pay.example.org/llms-full.txt',
      x402Manifest: 'https://pay.example.org/x402.json',
      wellKnownX402: 'https://pay.example.org/.well-known/x402',
      agentCard: 'https://pay.example.org/.well-known/agent.json',
      topics: 'https://pay.example.org/topics',
    });
    // The cache is per origin: another origin gets its own servers.
    const other = await openApi('/openapi.json', BASE);
    expect(other.doc.servers).toEqual([{ url: BASE }]);
  });

  it('serves the same document at /.well-known/openapi.json', async () => {
    const { doc } = await openApi();
    const { doc: alias } = await openApi('/.well-known/openapi.json');
    expect(alias).toEqual(doc);
  });

  it('describes a standard route with its price in words, x-payment-info, x-x402 and the 402', async () => {
    const { doc } = await openApi();
    const sha = doc.paths['/hashing/sha256']?.post as Operation;
    expect(sha.tags).toEqual(['Hashing']);
    expect(sha.description).toBe(
      'SHA-256 (FIPS 180-4).\n\nPrice: 1000 microSTX (0.001 STX), 2 sats (0.00000002 sBTC) or 1000 microUSDCx (0.001 USDCx) per call.',
    );
    expect(sha['x-payment-info']).toEqual({
      protocols: ['x402'],
      pricingMode: 'fixed',
      price: '0.001',
    });
    expect(sha['x-x402']).toEqual({
      tier: 'standard',
      pricingMode: 'fixed',
      order: 'authorization',
      network: TESTNET,
      payTo: PAY_TO,
      prices: STANDARD_PRICES,
    });
    expect(sha.responses['402']).toMatchObject({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/PaymentRequired' } },
      },
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['PaymentRequired', 'PaymentRequirements', 'HashRequest']),
    );
    const write = doc.paths['/storage/kv']?.post as Operation;
    expect((write['x-x402'] as { order: string }).order).toBe('upfront');
  });

  it('marks the per-request price of the dynamic tier as a quote', async () => {
    const { doc } = await openApi();
    const chat = doc.paths['/inference/openrouter/chat']?.post as Operation;
    expect(chat['x-payment-info']).toEqual({ protocols: ['x402'], pricingMode: 'quote' });
    expect(chat['x-x402']).toEqual({
      tier: 'dynamic',
      pricingMode: 'quote',
      order: 'upfront',
      network: TESTNET,
      payTo: PAY_TO,
      prices: [],
    });
    expect(chat.description).toMatch(
      /\n\nPrice: quoted per request from the model, the prompt and max_tokens; send the request without payment and the 402 carries the amount in STX, sBTC and USDCx\.$/,
    );
  });

  it('still documents every route when payments are not configured, without prices', async () => {
    const { request } = testApp();
    const res = await request('/openapi.json', {}, { ...env, PAY_TO: '' } as Env);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Document;
    const sha = doc.paths['/hashing/sha256']?.post as Operation;
    expect(sha.description).toBe(
      'SHA-256 (FIPS 180-4).\n\nPaid; payments are not configured on this server, so the route answers 503.',
    );
    expect(sha['x-payment-info']).toBeUndefined();
    expect(sha.responses['402']).toBeDefined();
  });

  it('puts a 402 and x-payment-info on every paid operation and on no free one', async () => {
    const { doc } = await openApi();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const paid = 'x-x402' in operation;
        expect('x-payment-info' in operation, `${method} ${path}`).toBe(paid);
        if (paid) expect(operation.responses['402'], `${method} ${path}`).toBeDefined();
      }
    }
    const free = doc.paths['/payment-status/{paymentId}']?.get as Operation;
    expect(free['x-payment-info']).toBeUndefined();
    expect(free.responses['402']).toBeUndefined();
  });
});
