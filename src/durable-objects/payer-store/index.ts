/**
 * One SQLite Durable Object per payer (id: `idFromName("{network}:{payer}")`), DESIGN section 8:
 * the strongly consistent half of the payer's storage. Its system tables (quotas, locks, queues,
 * memory, scans) carry the `_x402_` prefix, which user SQL can never name (see sql-guard.ts); the
 * payer's own tables live beside them. Each store is a module of this folder; this class only
 * holds them together and exposes their methods over RPC.
 */
import { DurableObject } from 'cloudflare:workers';

export class PayerStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Each store creates its system tables here, before any request reaches the object.
    ctx.blockConcurrencyWhile(async () => {
      // (stores register their schema here)
    });
  }

  // --- RPC methods, one section per store -------------------------------------------------

  override async alarm(): Promise<void> {
    // Expired rows are removed here (not only lazily); each store adds its sweep.
  }
}

/** The payer's own Durable Object: its storage namespace. */
export function payerStore(
  env: Env,
  network: string,
  payer: string,
): DurableObjectStub<PayerStore> {
  return env.PAYER_STORE.get(env.PAYER_STORE.idFromName(`${network}:${payer}`));
}
