import { createRoute, z } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { DOCUMENT_CACHE_CONTROL } from '../../discovery/service';
import type { AppEnv } from '../../env';
import { type ApiRoute, defineRoute, FREE } from '../registry';

/**
 * Where the page loads Scalar's script: a static asset of this Worker (wrangler.toml `[assets]`,
 * copied from `@scalar/api-reference` by `npm install`, scripts/copy-scalar-bundle.ts), never a CDN.
 */
export const SCALAR_SCRIPT_PATH = '/vendor/scalar/standalone.js';
/** The document the page renders, from the same origin. */
export const OPENAPI_DOCUMENT_PATH = '/openapi.json';

/**
 * The page must work with no internet access and send nothing to third parties, so every Scalar
 * feature that reaches the network is off: its fonts (fonts.scalar.com; the page uses the system's),
 * telemetry, the AI agent (on by default on localhost), the developer toolbar (sharing to
 * registry.scalar.com) and the request proxy ("Try it" would otherwise go through
 * proxy.scalar.com on any host but localhost; this API answers CORS, so the browser calls it
 * directly).
 */
const renderReference = Scalar<AppEnv>({
  pageTitle: 'x402 Stacks API reference',
  url: OPENAPI_DOCUMENT_PATH,
  cdn: SCALAR_SCRIPT_PATH,
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  proxyUrl: '',
  // Understood by the bundle (@scalar/api-reference 1.46), not yet in these integration types.
  ...({ agent: { disabled: true } } as object),
});

/** `GET /docs`: the interactive reference of every route, from `GET /openapi.json`. */
export const docsRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/docs',
    tags: ['Discovery'],
    summary: 'Interactive API reference',
    description: `An HTML page (Scalar) that renders \`GET ${OPENAPI_DOCUMENT_PATH}\`: every route with its schemas, examples and price, and a client to try free routes. Its script is served by this Worker, so the page needs no internet access.`,
    responses: {
      200: {
        description: 'The reference page',
        content: { 'text/html': { schema: z.string() } },
      },
    },
  }),
  pricing: FREE,
  handler: async (c, next) => {
    c.header('cache-control', DOCUMENT_CACHE_CONTROL);
    return (await renderReference(c, next)) as Response;
  },
});
