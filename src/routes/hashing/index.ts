import type { ApiRoute } from '../registry';
import { HASH_ALGORITHMS, type HashAlgorithm } from './algorithms';
import { hashRoute } from './hash-route';

export const hashingRoutes: ApiRoute[] = (Object.keys(HASH_ALGORITHMS) as HashAlgorithm[]).map(
  hashRoute,
);
