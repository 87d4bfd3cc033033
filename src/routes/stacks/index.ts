import type { ApiRoute } from '../registry';
import { profileRoute } from './profile';
import { transactionLookupRoute } from './transaction-lookup';

/** The `stacks` route group (standard tier, authorization order: failures are never charged). */
export const stacksRoutes: ApiRoute[] = [profileRoute, transactionLookupRoute];
