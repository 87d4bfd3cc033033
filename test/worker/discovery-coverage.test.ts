/**
 * One source: the routes in OpenAPI, /x402.json, /.well-known/x402, llms.txt and the agent card are
 * exactly the registered routes, and a route added to the registry appears in all of them (and its
 * 402 carries its bazaar info) with no other edit.
 */
import { env } from 'cloudflare:workers';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/routes';
import { type ApiRoute, defineRoute, STANDARD } from '../../src/routes/registry';
import { BASE, paymentRequiredOf, testApp } from './support/app';

type Pair = string;
const pairsOf = (routes: readonly ApiRoute[]): Pair[] =>
  routes.map(({ route }) => `${route.method.toUpperCase()} ${route.path}`).sort();

async function documentedPairs(extra: ApiRoute[] = []) {
  const { request } = testApp(extra);
  const openapi = (await (await request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const manifest = (await (await request('/x402.json')).json()) as {
    resources: { method: string; path: string }[];
  };
  const wellKnown = (await (await request('/.well-known/x402')).json()) as { resources: string[] };
  const llms = await (await request('/llms.txt')).text();
  const llmsFull = await (await request('/llms-full.txt')).text();
  const card = (await (await request('/.well-known/agent.json')).json()) as {
    skills: { id: string; endpoints: string[] }[];
  };
  return {
    openapi: Object.entries(openapi.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort(),
    openapiPaid: Object.entries(openapi.paths)
      .flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([, op]) => 'x-payment-info' in (op as object))
          .map(([m]) => `${m.toUpperCase()} ${path}`),
      )
      .sort(),
    manifest: manifest.resources.map((r) => `${r.method} ${r.path}`).sort(),
    wellKnown: [...wellKnown.resources].sort(),
    llms: [...llms.matchAll(/^### (\S+ \S+)$/gm)].map((m) => m[1] ?? '').sort(),
    llmsFull: [...llmsFull.matchAll(/^### (\S+ \S+)$/gm)].map((m) => m[1] ?? '').sort(),
    card: card.skills.flatMap((skill) => skill.endpoints).sort(),
  };
}

describe('every discovery document lists exactly the registered routes', () => {
  it('for the registry as it is', async () => {
    const all = pairsOf(ROUTES);
    const paid = pairsOf(ROUTES.filter(({ pricing }) => pricing.tier !== 'free'));
    const docs = await documentedPairs();
    expect(docs.openapi).toEqual(all);
    expect(docs.llms).toEqual(all);
    expect(docs.llmsFull).toEqual(all);
    expect(docs.card).toEqual(all);
    expect(docs.openapiPaid).toEqual(paid);
    expect(docs.manifest).toEqual(paid);
    const paidUrls = ROUTES.filter(({ pricing }) => pricing.tier !== 'free').map(
      ({ route }) => `${BASE}${route.path}`,
    );
    expect(docs.wellKnown).toEqual([...new Set(paidUrls)].sort());
  });

  it('for a route added to the registry, with no other edit', async () => {
    const extra = defineRoute({
      route: createRoute({
        method: 'post',
        path: '/test/echo/{name}',
        tags: ['Test'],
        summary: 'Echo a word',
        request: {
          params: z.object({
            name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'ada' }),
          }),
          body: {
            required: true,
            content: {
              'application/json': {
                schema: z.object({ word: z.string().openapi({ example: 'hello' }) }),
              },
            },
          },
        },
        responses: {
          200: {
            description: 'The word',
            content: {
              'application/json': {
                schema: z.object({ echo: z.string().openapi({ example: 'hello ada' }) }),
              },
            },
          },
        },
      }),
      pricing: STANDARD,
      handler: (c) =>
        c.json({ echo: `${c.req.valid('json').word} ${c.req.valid('param').name}` }, 200),
    });
    const pair = 'POST /test/echo/{name}';
    const docs = await documentedPairs([extra]);
    for (const list of [
      docs.openapi,
      docs.openapiPaid,
      docs.manifest,
      docs.llms,
      docs.llmsFull,
      docs.card,
    ]) {
      expect(list).toContain(pair);
    }
    expect(docs.wellKnown).toContain(`${BASE}/test/echo/{name}`);
    expect(docs.manifest).toEqual(
      pairsOf([...ROUTES, extra].filter((r) => r.pricing.tier !== 'free')),
    );

    const { post } = testApp([extra]);
    const res = await post('/test/echo/ada', { word: 'hello' }, {}, env);
    expect(res.status).toBe(402);
    expect(paymentRequiredOf(res).extensions?.bazaar).toEqual({
      info: {
        input: {
          type: 'http',
          method: 'POST',
          pathParams: { name: 'ada' },
          bodyType: 'json',
          body: { word: 'hello' },
        },
        output: { type: 'json', example: { echo: 'hello ada' } },
      },
      schema: expect.objectContaining({ $schema: 'https://json-schema.org/draft/2020-12/schema' }),
      routeTemplate: '/test/echo/:name',
    });
  });
});
