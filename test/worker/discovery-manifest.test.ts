/**
 * `GET /x402.json` and `GET /.well-known/x402`: every paid route, and for each one its 402 offers
 * exactly the manifest's `accepts` and the OpenAPI `x-x402` prices, with a bazaar extension that
 * the @x402/extensions validators accept.
 */
import { env } from 'cloudflare:workers';
import {
  isValidRouteTemplate,
  validateDiscoveryExtension,
  validateDiscoveryExtensionSpec,
} from '@x402/extensions/bazaar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBody, exampleUrl } from '../../src/discovery/endpoint-text';
import { CATALOGUE_KV_KEY } from '../../src/inference/catalogue';
import type { PaymentRequired } from '../../src/payment/protocol';
import { ROUTES } from '../../src/routes';
import type { ApiRoute } from '../../src/routes/registry';
import { BASE, paymentRequiredOf, type TestApp, testApp } from './support/app';
import { type FakeOpenRouter, fakeOpenRouter } from './support/fake-openrouter';
import { INFERENCE_ENV } from './support/inference-requests';
import { PAY_TO, SBTC, TESTNET, USDCX } from './support/payments';

/** A bazaar extension as the 402 carries it (the validators take the library's own type). */
interface Bazaar {
  info: { input: { method?: string; body?: unknown }; output?: { type: string; example: unknown } };
  schema: Record<string, unknown>;
  routeTemplate?: string;
}
type Extension = Parameters<typeof validateDiscoveryExtension>[0];

interface Resource {
  resource: string;
  method: string;
  path: string;
  tier: string;
  accepts: Record<string, unknown>[];
  extensions: { bazaar: Bazaar };
}
interface Manifest {
  resources: Resource[];
  [key: string]: unknown;
}

const PAID = ROUTES.filter(({ pricing }) => pricing.tier !== 'free');

async function manifestOf(app: TestApp) {
  const res = await app.request('/x402.json', {}, INFERENCE_ENV);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  return (await res.json()) as Manifest;
}

/** The 402 of the route's own example request (valid, so never a 400). */
async function challengeOf(app: TestApp, apiRoute: ApiRoute): Promise<PaymentRequired> {
  const body = exampleBody(apiRoute);
  const res = await app.request(
    exampleUrl('', apiRoute),
    {
      method: apiRoute.route.method.toUpperCase(),
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    INFERENCE_ENV,
  );
  expect(res.status, `${apiRoute.route.method} ${apiRoute.route.path}`).toBe(402);
  // Node's HTTP client refuses more than 16 KiB of response headers in all.
  expect(res.headers.get('payment-required')?.length).toBeLessThan(14_000);
  return paymentRequiredOf(res);
}

let upstream: FakeOpenRouter;
beforeEach(async () => {
  await env.KV.delete(CATALOGUE_KV_KEY);
  upstream = fakeOpenRouter();
});
afterEach(() => upstream.restore());

describe('GET /x402.json', () => {
  it('describes the service and each paid resource with its accepts and bazaar info', async () => {
    const manifest = await manifestOf(testApp());
    expect(manifest).toMatchObject({
      x402Version: 2,
      service: { name: 'x402 Stacks API', version: '0.1.0', url: `${BASE}/` },
      network: TESTNET,
      payTo: PAY_TO,
    });
    const extra = (tokenType: string, decimals: number, tokenContract?: string) => ({
      tokenType,
      ...(tokenContract ? { tokenContract } : {}),
      decimals,
      pricingTier: 'standard',
    });
    const common = { scheme: 'exact', network: TESTNET, payTo: PAY_TO, maxTimeoutSeconds: 300 };
    const sha = manifest.resources.find((r) => r.path === '/hashing/sha256');
    expect(sha).toEqual({
      resource: `${BASE}/hashing/sha256`,
      method: 'POST',
      path: '/hashing/sha256',
      group: 'hashing',
      description: 'SHA-256 hash',
      tier: 'standard',
      order: 'authorization',
      pricingMode: 'fixed',
      mimeType: 'application/json',
      accepts: [
        { ...common, amount: '1000', asset: 'STX', extra: extra('STX', 6) },
        { ...common, amount: '2', asset: SBTC, extra: extra('sBTC', 8, SBTC) },
        { ...common, amount: '1000', asset: USDCX, extra: extra('USDCx', 6, USDCX) },
      ],
      extensions: { bazaar: expect.objectContaining({ info: expect.any(Object) }) },
    });
    expect(sha?.extensions.bazaar.info).toEqual({
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
    });
    // Every hashing route shows its own algorithm's digest of the example input.
    const outputOf = (path: string) =>
      manifest.resources.find((r) => r.path === path)?.extensions.bazaar.info.output;
    expect(outputOf('/hashing/sha512')).toEqual({
      type: 'json',
      example: {
        hash: '0x309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f',
        algorithm: 'sha512',
        encoding: 'hex',
        inputLength: 11,
      },
    });
    expect(outputOf('/hashing/keccak256')?.example).toMatchObject({
      hash: '0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad',
      algorithm: 'keccak256',
    });
    const chat = manifest.resources.find((r) => r.path === '/inference/openrouter/chat');
    expect(chat).toMatchObject({ tier: 'dynamic', pricingMode: 'quote', order: 'upfront' });
    expect(chat?.accepts.map((a) => [a.asset, 'amount' in a])).toEqual([
      ['STX', false],
      [SBTC, false],
      [USDCX, false],
    ]);
  });

  it('answers 503 service_misconfigured when payments are not configured', async () => {
    const res = await testApp().request('/x402.json', {}, { ...env, PAY_TO: '' } as Env);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      code: 'service_misconfigured',
      message:
        'Payments are not configured on this server (PAY_TO must be a valid testnet standard address (got "")), so it sells nothing; the free routes still answer.',
    });
  });
});

describe('every paid route', () => {
  it('answers a 402 whose accepts equal its manifest entry and its x-x402 prices', async () => {
    const app = testApp();
    const manifest = await manifestOf(app);
    const openapi = (await (await app.request('/openapi.json', {}, INFERENCE_ENV)).json()) as {
      paths: Record<string, Record<string, { 'x-x402': { prices: { amount: string }[] } }>>;
    };
    expect(PAID.length).toBeGreaterThan(40);
    for (const apiRoute of PAID) {
      const { method, path } = apiRoute.route;
      const entry = manifest.resources.find(
        (r) => r.path === path && r.method === method.toUpperCase(),
      );
      const challenge = await challengeOf(app, apiRoute);
      const prices = openapi.paths[path]?.[method]?.['x-x402'].prices;
      if (apiRoute.pricing.tier === 'standard') {
        expect(challenge.accepts, `${method} ${path}`).toEqual(entry?.accepts);
        expect(prices?.map((p) => p.amount)).toEqual(challenge.accepts.map((a) => a.amount));
      } else {
        // Priced per request: every field but the amount and the request's own estimate.
        const offered = challenge.accepts.map(
          ({ amount: _, extra: { estimate: __, ...extra }, ...rest }) => ({ ...rest, extra }),
        );
        expect(offered, `${method} ${path}`).toEqual(entry?.accepts);
        expect(prices).toEqual([]);
      }
      expect(challenge.extensions?.bazaar, `${method} ${path}`).toEqual(entry?.extensions.bazaar);
    }
  });

  it('carries a bazaar extension that the @x402/extensions validators accept', async () => {
    const app = testApp();
    for (const apiRoute of PAID) {
      const { method, path } = apiRoute.route;
      const bazaar = (await challengeOf(app, apiRoute)).extensions?.bazaar as Bazaar;
      expect(
        validateDiscoveryExtension(bazaar as unknown as Extension),
        `${method} ${path}`,
      ).toEqual({ valid: true });
      expect(validateDiscoveryExtensionSpec({ ...bazaar }), `${method} ${path}`).toEqual({
        valid: true,
      });
      expect(bazaar.info.input.method).toBe(method.toUpperCase());
      if (path.includes('{')) {
        expect(bazaar.routeTemplate).toBe(path.replace(/\{(\w+)\}/g, ':$1'));
        expect(isValidRouteTemplate(bazaar.routeTemplate)).toBe(true);
      } else {
        expect(bazaar.routeTemplate).toBeUndefined();
      }
    }
    // The validator does refuse info that its schema does not allow.
    const kv = (
      await challengeOf(app, PAID.find((r) => r.route.path === '/storage/kv') as ApiRoute)
    ).extensions?.bazaar as Bazaar;
    const broken = structuredClone(kv);
    broken.info.input.body = { key: 42 };
    expect(validateDiscoveryExtension(broken as unknown as Extension).valid).toBe(false);
  });
});

describe('GET /.well-known/x402', () => {
  it('lists the absolute URL of every paid resource once', async () => {
    const res = await testApp().request('/.well-known/x402', {}, env);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await res.json()) as { version: number; resources: string[] };
    expect(body.version).toBe(1);
    expect(body.resources).toEqual([...new Set(PAID.map(({ route }) => `${BASE}${route.path}`))]);
    expect(body.resources.slice(0, 3)).toEqual([
      `${BASE}/hashing/sha256`,
      `${BASE}/hashing/sha512`,
      `${BASE}/hashing/sha512-256`,
    ]);
  });
});
