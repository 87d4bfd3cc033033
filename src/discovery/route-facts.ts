/**
 * What every discovery document says about a route, read from its declaration in the registry
 * (DESIGN section 6): nothing here lists a route by hand.
 */
import type { RouteConfig } from '@hono/zod-openapi';
import type { ApiRoute } from '../routes/registry';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface RouteFacts {
  method: HttpMethod;
  /** The OpenAPI path template, `/storage/kv/{key}`. */
  path: string;
  /** Lower-case group from the route's first tag: `Storage: KV` is `storage`. */
  group: string;
  summary: string;
  description: string;
  tier: ApiRoute['pricing']['tier'];
  order: ApiRoute['pricing']['order'];
  paid: boolean;
}

function routeGroup(route: RouteConfig): string {
  const tag = route.tags?.[0] ?? 'Service';
  return (tag.split(':')[0] ?? tag).trim().toLowerCase();
}

export function routeFacts({ route, pricing }: ApiRoute): RouteFacts {
  return {
    method: route.method.toUpperCase() as HttpMethod,
    path: route.path,
    group: routeGroup(route),
    summary: route.summary ?? '',
    description: route.description ?? route.summary ?? '',
    tier: pricing.tier,
    order: pricing.order,
    paid: pricing.tier !== 'free',
  };
}

/** The bazaar `routeTemplate` form of a path: `/storage/kv/{key}` is `/storage/kv/:key`. */
export function bazaarRouteTemplate(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/**
 * The absolute URL of a route: its path template on this origin, `{name}` placeholders kept (the
 * template is what a catalogue lists; the 402 of a real call names the concrete URL).
 */
export function resourceUrl(origin: string, path: string): string {
  return `${origin}${path}`;
}
