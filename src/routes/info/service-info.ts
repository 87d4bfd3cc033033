import { createRoute, z } from '@hono/zod-openapi';
import pkg from '../../../package.json';
import { getServiceConfig, type SponsorshipConfig } from '../../config';
import { X402_VERSION } from '../../payment/protocol';
import { assetIdFor, CAIP2_NETWORK, TOKEN_TYPES, TOKENS } from '../../stacks/tokens';
import { type ApiRoute, defineRoute, FREE } from '../registry';

const ServiceInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    x402Version: z.number(),
    network: z.string().nullable(),
    networkId: z.string().nullable(),
    payments: z.object({
      enabled: z.boolean(),
      payTo: z.string().nullable(),
      problems: z.array(z.string()).optional(),
      sponsorship: z
        .object({
          enabled: z.boolean(),
          by: z.enum(['server', 'facilitator']).optional(),
          sponsor: z.string().optional(),
          feeMicroStx: z.string().optional(),
          maxFeeMicroStx: z.string().optional(),
        })
        .optional()
        .openapi({
          description:
            'Whether a sponsored payment (fee 0, sponsored auth) is accepted, and who pays its fee.',
        }),
    }),
    tokens: z.array(
      z.object({
        type: z.string(),
        asset: z.string().nullable(),
        assetName: z.string().nullable(),
        decimals: z.number(),
        atomicUnit: z.string(),
      }),
    ),
    pricing: z.object({
      free: z.string(),
      standard: z.record(z.string(), z.string()).nullable(),
      dynamic: z.string(),
    }),
    endpoints: z.array(
      z.object({ method: z.string(), path: z.string(), tier: z.string(), summary: z.string() }),
    ),
    links: z.record(z.string(), z.string()),
  })
  .openapi('ServiceInfo');

function sponsorshipInfo(sponsorship: SponsorshipConfig | undefined) {
  if (!sponsorship) return { enabled: false };
  if (sponsorship.mode === 'facilitator') return { enabled: true, by: 'facilitator' as const };
  return {
    enabled: true,
    by: 'server' as const,
    sponsor: sponsorship.address,
    feeMicroStx: sponsorship.feeMicroStx.toString(),
    maxFeeMicroStx: sponsorship.maxFeeMicroStx.toString(),
  };
}

/** `GET /`: what this service is, on which network, what it accepts and what it sells. */
export function serviceInfoRoute(registry: () => readonly ApiRoute[]): ApiRoute {
  return defineRoute({
    route: createRoute({
      method: 'get',
      path: '/',
      tags: ['Service'],
      summary: 'Service information',
      description:
        'Name, version, network, accepted tokens with contract ids, price tiers and every endpoint.',
      responses: {
        200: {
          description: 'Service information',
          content: { 'application/json': { schema: ServiceInfoSchema } },
        },
      },
    }),
    pricing: FREE,
    handler: (c) => {
      const result = getServiceConfig(c.env);
      const config = result.ok ? result.config : undefined;
      const network = config?.network;
      return c.json(
        {
          name: 'x402 Stacks API',
          version: pkg.version,
          x402Version: X402_VERSION,
          network: network ?? null,
          networkId: network ? CAIP2_NETWORK[network] : null,
          payments: result.ok
            ? {
                enabled: true,
                payTo: result.config.payTo,
                sponsorship: sponsorshipInfo(result.config.sponsorship),
              }
            : { enabled: false, payTo: null, problems: result.problems },
          tokens: TOKEN_TYPES.map((type) => ({
            type,
            asset: network ? assetIdFor(type, network) : null,
            assetName: network ? (TOKENS[type].contract?.[network].assetName ?? null) : null,
            decimals: TOKENS[type].decimals,
            atomicUnit: TOKENS[type].atomicUnit,
          })),
          pricing: {
            free: 'no payment',
            standard: config
              ? Object.fromEntries(TOKEN_TYPES.map((t) => [t, config.standardPrices[t].toString()]))
              : null,
            dynamic: 'priced per request; the 402 quotes the amount',
          },
          endpoints: registry().map(({ route, pricing }) => ({
            method: route.method.toUpperCase(),
            path: route.path,
            tier: pricing.tier,
            summary: route.summary ?? '',
          })),
          links: { self: new URL('/', c.req.url).href, health: new URL('/health', c.req.url).href },
        },
        200,
      );
    },
  });
}
