/**
 * The `storage` route group (standard tier): writes settle first (`upfront`, a failed write after
 * settlement is owed to the payer), reads settle after the handler (`authorization`). The payer's
 * Stacks address, from the verified payment, is the namespace of every store.
 */
import type { ApiRoute } from '../registry';

export const storageRoutes: ApiRoute[] = [];
