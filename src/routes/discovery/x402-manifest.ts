import { createRoute } from '@hono/zod-openapi';
import { buildWellKnownX402, buildX402Manifest } from '../../discovery/manifest';
import { discoveryContext } from '../../discovery/service';
import { jsonError } from '../../payment/http-responses';
import { SERVICE_MISCONFIGURED } from '../../payment/errors';
import { ErrorSchema } from '../../schemas/errors';
import { defineRoute, FREE } from '../registry';
import { answerJson, jsonContent, TAGS } from './responses';

const unconfigured = {
  503: {
    description: 'Payments are not configured on this server, so nothing can be bought',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

/** `GET /x402.json`: every paid resource with its `accepts` and bazaar info. */
export const x402ManifestRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/x402.json',
    tags: TAGS,
    summary: 'x402 catalogue',
    description:
      'Every paid resource: absolute URL, method, path, group, tier, order of operations, `accepts` exactly as its 402 offers them (without `amount` and with `pricingMode: "quote"` for routes priced per request), and its bazaar discovery info.',
    responses: { ...jsonContent('The x402 catalogue'), ...unconfigured },
  }),
  pricing: FREE,
  handler: (c) => {
    const context = discoveryContext(c);
    const { config } = context;
    if (!config) {
      return jsonError(
        503,
        SERVICE_MISCONFIGURED,
        `Payments are not configured on this server (${context.problems.join('; ')}), so it sells nothing; the free routes still answer.`,
      ) as never;
    }
    return answerJson(c, 'x402.json', () => buildX402Manifest({ ...context, config })) as never;
  },
});

/** `GET /.well-known/x402`: the scanners' list of paid resource URLs. */
export const wellKnownX402Route = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/.well-known/x402',
    tags: TAGS,
    summary: 'x402 resource list',
    description:
      '`{version: 1, resources: [absolute URLs]}`: every paid resource, for x402 scanners.',
    responses: jsonContent('The resource list'),
  }),
  pricing: FREE,
  handler: (c) => answerJson(c, 'well-known-x402', buildWellKnownX402) as never,
});
