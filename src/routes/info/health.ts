import { createRoute, z } from '@hono/zod-openapi';
import { getServiceConfig } from '../../config';
import { type ApiRoute, defineRoute, FREE } from '../registry';

/**
 * How long an isolate reuses its last ledger check. Monitors probe every few seconds, often several
 * at once; one D1 round trip per 30 s per isolate still notices an outage, and keeps `GET /health`
 * as cheap as `GET /` (a D1 query made every call tripled its latency).
 */
export const LEDGER_CHECK_INTERVAL_MS = 30_000;

type LedgerStatus = 'ok' | 'unavailable';

/**
 * The last ledger check of this isolate, per D1 binding (the same object for every request of an
 * isolate; a test that passes bindings of its own gets a cache of its own). The settled status is
 * kept, not the pending promise: a promise shared across requests would tie each of them to the
 * I/O of the request that made the query, which workerd cancels when that request ends. So
 * requests that arrive together before the first check has answered each make one.
 */
const lastLedgerChecks = new WeakMap<D1Database, { at: number; status: LedgerStatus }>();

async function checkLedger(db: D1Database): Promise<LedgerStatus> {
  const last = lastLedgerChecks.get(db);
  if (last && Date.now() - last.at < LEDGER_CHECK_INTERVAL_MS) return last.status;
  let status: LedgerStatus;
  try {
    status = (await db.prepare('SELECT 1 AS one').first('one')) === 1 ? 'ok' : 'unavailable';
  } catch {
    status = 'unavailable';
  }
  lastLedgerChecks.set(db, { at: Date.now(), status });
  return status;
}

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({
      config: z.enum(['ok', 'misconfigured']).openapi({
        description: 'Whether the payment configuration is valid; checked on every call.',
      }),
      ledger: z.enum(['ok', 'unavailable']).openapi({
        description: `Whether the D1 ledger answered this isolate's most recent query, made at most once every ${LEDGER_CHECK_INTERVAL_MS / 1000} s: an outage (or a recovery) shows here up to ${LEDGER_CHECK_INTERVAL_MS / 1000} s late.`,
      }),
    }),
  })
  .openapi('Health');

/** `GET /health`: 200 when the configuration is valid and the D1 ledger answers, 503 otherwise. */
export const healthRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/health',
    tags: ['Service'],
    summary: 'Health check',
    description: `Checks the payment configuration (on every call) and that the D1 ledger answers (at most once every ${LEDGER_CHECK_INTERVAL_MS / 1000} s per Worker isolate, so \`checks.ledger\` may be up to ${LEDGER_CHECK_INTERVAL_MS / 1000} s old). 200 when both are ok, 503 otherwise.`,
    responses: {
      200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
      503: { description: 'Degraded', content: { 'application/json': { schema: HealthSchema } } },
    },
  }),
  pricing: FREE,
  handler: async (c) => {
    const config = getServiceConfig(c.env).ok ? 'ok' : 'misconfigured';
    const ledger = await checkLedger(c.env.DB);
    const healthy = config === 'ok' && ledger === 'ok';
    return c.json(
      { status: healthy ? 'ok' : 'degraded', checks: { config, ledger } } as const,
      healthy ? 200 : 503,
    );
  },
});
