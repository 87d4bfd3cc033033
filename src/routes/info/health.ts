import { createRoute, z } from '@hono/zod-openapi';
import { getServiceConfig } from '../../config';
import { type ApiRoute, defineRoute, FREE } from '../registry';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({
      config: z.enum(['ok', 'misconfigured']),
      ledger: z.enum(['ok', 'unavailable']),
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
    description: 'Checks the payment configuration and that the D1 ledger answers.',
    responses: {
      200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
      503: { description: 'Degraded', content: { 'application/json': { schema: HealthSchema } } },
    },
  }),
  pricing: FREE,
  handler: async (c) => {
    const config = getServiceConfig(c.env).ok ? 'ok' : 'misconfigured';
    const ledger = await c.env.DB.prepare('SELECT 1 AS one')
      .first('one')
      .then((one) => (one === 1 ? 'ok' : 'unavailable'))
      .catch(() => 'unavailable' as const);
    const healthy = config === 'ok' && ledger === 'ok';
    return c.json(
      { status: healthy ? 'ok' : 'degraded', checks: { config, ledger } } as const,
      healthy ? 200 : 503,
    );
  },
});
