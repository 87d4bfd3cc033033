import { docsRoute } from './discovery/docs';
import { discoveryRoutes } from './discovery';
import { hashingRoutes } from './hashing';
import { healthRoute } from './info/health';
import { serviceInfoRoute } from './info/service-info';
import { inferenceRoutes } from './inference';
import { paymentStatusRoute } from './payments/payment-status';
import type { ApiRoute } from './registry';
import { stacksRoutes } from './stacks';
import { storageRoutes } from './storage';

/** Every route of the API, in the order they are documented. */
export const ROUTES: readonly ApiRoute[] = [
  serviceInfoRoute(() => ROUTES),
  healthRoute,
  paymentStatusRoute,
  docsRoute,
  ...discoveryRoutes,
  ...hashingRoutes,
  ...stacksRoutes,
  ...storageRoutes,
  ...inferenceRoutes,
];
