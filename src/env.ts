import type { VerifiedPayment } from './payment/types';

/** Bindings and vars come from `wrangler types` (worker-configuration.d.ts); secrets would extend it here. */
export type Bindings = Env;

/** Typed Hono context variables. */
export interface Variables {
  /** Present once a paid request's payment has been verified and claimed: the payer is the caller's identity. */
  payment?: VerifiedPayment;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
