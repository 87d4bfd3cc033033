/**
 * The `storage` route group (standard tier): writes settle first (`upfront`, a failed write after
 * settlement is owed to the payer), reads settle after the handler (`authorization`). The payer's
 * Stacks address, from the verified payment, is the namespace of every store.
 */
import type { ApiRoute } from '../registry';
import { dbRoutes } from './db';
import { kvRoutes } from './kv';
import { memoryRoutes } from './memory';
import { pasteRoutes } from './paste';
import { queueRoutes } from './queue';
import { scanRoutes } from './scans';
import { syncRoutes } from './sync';

export const storageRoutes: ApiRoute[] = [
  ...kvRoutes,
  ...pasteRoutes,
  ...syncRoutes,
  ...queueRoutes,
  ...dbRoutes,
  ...memoryRoutes,
  ...scanRoutes,
];
