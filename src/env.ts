import type { ChatQuote } from './inference/quote';
import type { VerifiedPayment } from './payment/types';
import type { ApiRoute } from './routes/registry';

/** Bindings and vars come from `wrangler types` (worker-configuration.d.ts); secrets would extend it here. */
export type Bindings = Env;

/** The payment an upfront handler is running for (on a collecting retry, not the one presented). */
export interface ServedPayment {
  paymentId: string;
  /** STX | sBTC | USDCx, as recorded in the ledger. */
  token: string;
  /** Atomic units transferred: what is owed back if the work fails. */
  amount: bigint;
}

/** Typed Hono context variables. */
export interface Variables {
  /** Present once a paid request's payment has been verified and claimed: the payer is the caller's identity. */
  payment?: VerifiedPayment;
  /** Set by delivery while an `upfront` handler runs. */
  served?: ServedPayment;
  /**
   * Statements an `upfront` handler asks to be written in the same D1 batch that keeps its answer
   * and marks it delivered (no extra round trip), such as the usage of an inference call.
   */
  recordWithAnswer?: D1PreparedStatement[];
  /** The quote of `POST /inference/openrouter/chat`, made by the payment gate, for its handler. */
  chatQuote?: ChatQuote;
  /** The route registry this app mounted: the discovery documents are generated from it. */
  routes?: readonly ApiRoute[];
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
