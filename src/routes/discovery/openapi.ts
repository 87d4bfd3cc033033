import { createRoute } from '@hono/zod-openapi';
import { buildOpenApiDocument } from '../../discovery/openapi';
import { type ApiRoute, defineRoute, FREE } from '../registry';
import { answerJson, jsonContent, TAGS } from './responses';

const DESCRIPTION =
  'OpenAPI 3.1 of every route, generated from the route registry: schemas, examples, a 402 response, `x-payment-info` and `x-x402` on every paid operation.';

/** `GET /openapi.json` and its well-known alias: the same document. */
function openApiRoute(path: string): ApiRoute {
  return defineRoute({
    route: createRoute({
      method: 'get',
      path,
      tags: TAGS,
      summary: path === '/openapi.json' ? 'OpenAPI document' : 'OpenAPI document (well-known)',
      description: DESCRIPTION,
      responses: jsonContent('The OpenAPI 3.1 document'),
    }),
    pricing: FREE,
    handler: (c) => answerJson(c, 'openapi', buildOpenApiDocument) as never,
  });
}

export const openApiRoutes = [
  openApiRoute('/openapi.json'),
  openApiRoute('/.well-known/openapi.json'),
];
