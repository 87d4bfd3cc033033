/**
 * `GET /x402.json` (every paid resource with what its 402 offers) and `GET /.well-known/x402`
 * (the scanners' list of resource URLs), from the route registry.
 *
 * `accepts` of a `standard` route is exactly its 402's (same builder, same configuration, in the
 * order of a 402 that names no token). A `dynamic` route is priced per request: its entries carry
 * every field but `amount`, and the resource says `pricingMode: "quote"`; the amounts are in the
 * 402 of the request itself.
 */
import { X402_VERSION } from '../payment/protocol';
import { CAIP2_NETWORK } from '../stacks/tokens';
import { type BazaarExtension, bazaarExtension } from './bazaar';
import {
  type DiscoveryRequirement,
  discoveryAccepts,
  type PricingMode,
  pricingMode,
} from './pricing';
import { resourceUrl, routeFacts } from './route-facts';
import { type DiscoveryContext, SERVICE_NAME, SERVICE_VERSION } from './service';

export interface ManifestResource {
  resource: string;
  method: string;
  path: string;
  group: string;
  description: string;
  tier: string;
  order: string;
  pricingMode: PricingMode;
  mimeType: 'application/json';
  accepts: DiscoveryRequirement[];
  extensions: { bazaar: Pick<BazaarExtension, 'info' | 'schema'> & { routeTemplate?: string } };
}

export interface X402Manifest {
  x402Version: number;
  service: { name: string; version: string; url: string };
  network: string;
  payTo: string;
  resources: ManifestResource[];
}

const paidRoutes = (context: DiscoveryContext) =>
  context.routes.filter(({ pricing }) => pricing.tier !== 'free');

/** Needs the configuration: without a payTo and network there is nothing to pay. */
export function buildX402Manifest(
  context: DiscoveryContext & { config: NonNullable<DiscoveryContext['config']> },
): X402Manifest {
  const { config, origin } = context;
  return {
    x402Version: X402_VERSION,
    service: { name: SERVICE_NAME, version: SERVICE_VERSION, url: `${origin}/` },
    network: CAIP2_NETWORK[config.network],
    payTo: config.payTo,
    resources: paidRoutes(context).map((apiRoute) => {
      const facts = routeFacts(apiRoute);
      return {
        resource: resourceUrl(origin, facts.path),
        method: facts.method,
        path: facts.path,
        group: facts.group,
        description: facts.summary,
        tier: facts.tier,
        order: facts.order,
        pricingMode: pricingMode(apiRoute.pricing),
        mimeType: 'application/json',
        accepts: discoveryAccepts(apiRoute.pricing, config),
        extensions: { bazaar: bazaarExtension(apiRoute.route) },
      };
    }),
  };
}

/** The scanners' shape: every paid resource's absolute URL, once (GET and DELETE share one). */
export function buildWellKnownX402(context: DiscoveryContext) {
  const urls = paidRoutes(context).map(({ route }) => resourceUrl(context.origin, route.path));
  return { version: 1, resources: [...new Set(urls)] };
}
