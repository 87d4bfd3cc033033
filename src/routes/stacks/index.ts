import type { ApiRoute } from '../registry';
import { stacksAddressRoute } from './address';
import { callReadRoute } from './call-read';
import { decodeClarityRoute } from './decode-clarity';
import { decodeTransactionRoute } from './decode-transaction';
import { profileRoute } from './profile';
import { transactionLookupRoute } from './transaction-lookup';
import { verifyMessageRoute } from './verify-message';
import { verifySip018Route } from './verify-sip018';

/** The `stacks` route group (standard tier, authorization order: failures are never charged). */
export const stacksRoutes: ApiRoute[] = [
  stacksAddressRoute,
  decodeClarityRoute,
  decodeTransactionRoute,
  profileRoute,
  verifyMessageRoute,
  verifySip018Route,
  transactionLookupRoute,
  callReadRoute,
];
