/**
 * The route registry: each route is declared once (method, path, zod schemas, summary,
 * description, price tier, order of operations). The Hono route, its validation, the payment gate
 * and the price all come from that one declaration; later the OpenAPI document, /docs and the
 * x402 manifests will too (DESIGN section 6).
 */
import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import { bazaarExtension } from '../discovery/bazaar';
import type { AppEnv } from '../env';
import { type PaidRouteSpec, type PaymentDeps, withPayment } from '../payment/gate';
import type { RoutePricing } from '../payment/types';

export interface RouteDefinition<R extends RouteConfig> {
  route: R;
  pricing: RoutePricing;
  handler: RouteHandler<R, AppEnv>;
  quote?: PaidRouteSpec['quote'];
  precheck?: PaidRouteSpec['precheck'];
}

/** A declared route with its handler type erased, so routes of every shape fit in one list. */
export interface ApiRoute {
  route: RouteConfig;
  pricing: RoutePricing;
  handler: Handler<AppEnv>;
  quote?: PaidRouteSpec['quote'];
  precheck?: PaidRouteSpec['precheck'];
}

export const FREE: RoutePricing = { tier: 'free', order: 'authorization' };
/** Pure computation and reads: charge only after the handler succeeded. */
export const STANDARD: RoutePricing = { tier: 'standard', order: 'authorization' };
/** Writes and other side effects: settle first, then do the work once (a failure is owed). */
export const STANDARD_UPFRONT: RoutePricing = { tier: 'standard', order: 'upfront' };

export function defineRoute<R extends RouteConfig>(definition: RouteDefinition<R>): ApiRoute {
  return definition as unknown as ApiRoute;
}

export function routeName(route: RouteConfig): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

export function mountRoutes(
  app: OpenAPIHono<AppEnv>,
  routes: readonly ApiRoute[],
  deps: PaymentDeps,
): void {
  for (const { route, pricing, handler, quote, precheck } of routes) {
    const gated =
      pricing.tier === 'free'
        ? handler
        : withPayment(
            {
              routeName: routeName(route),
              description: route.summary,
              pricing,
              quote,
              precheck,
              challengeExtensions: () => ({ bazaar: bazaarExtension(route) }),
            },
            handler,
            deps,
          );
    app.openapi(route, gated as RouteHandler<RouteConfig, AppEnv>);
  }
}
