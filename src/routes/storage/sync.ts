/**
 * `/storage/sync`: distributed locks with a secret token and a time to live, kept in the payer's
 * Durable Object (strongly consistent: two acquires of one name never both succeed).
 *
 * Writes settle first (`upfront`); what would refuse one (the lock quota, a lock not held, a wrong
 * token) is checked before settlement, so such a refusal charges nothing. The same check runs
 * again in the write; it only refuses there if the lock changed in between (then the payment is
 * recorded as owed). Reads settle after the handler. Expired locks are free and never shown.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { LockQuotaRefusal, LockTokenRefusal } from '../../durable-objects/payer-store/locks';
import type { AppEnv } from '../../env';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { STORAGE_LIMITS } from '../../storage/limits';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import { storeOf } from './payer';
import { afterRefusal, iso, json, storageNameSchema, validBody } from './payer-store-routes';

const { sync } = STORAGE_LIMITS;

const nameSchema = storageNameSchema('name', sync.nameChars, 'jobs:nightly-report');
const ttlSchema = z
  .number()
  .int('ttl must be a whole number of seconds')
  .min(sync.minTtlSeconds, `ttl must be at least ${sync.minTtlSeconds} second`)
  .max(sync.maxTtlSeconds, `ttl must be at most ${sync.maxTtlSeconds} seconds`)
  .openapi({ description: 'Seconds the lock is held from now.', example: 30 });
const tokenSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'token must be the 32 lower-case hex digits returned by the lock')
  .openapi({ example: '9f86d081884c7d659a2feaa0c55ad015' });
const expiresAtSchema = z.string().openapi({
  description: 'ISO 8601; the lock is free from then.',
  example: '2026-11-20T12:00:30.000Z',
});

function quotaRefusal(c: Context<AppEnv>, refusal: LockQuotaRefusal, charged: boolean) {
  return c.json(
    {
      code: refusal.code,
      message: `You hold ${refusal.limit} locks, the most one payer may hold at once; unlock some or let them expire before taking "${refusal.name}". ${afterRefusal(charged)}`,
    },
    409,
  );
}

function tokenRefusal(c: Context<AppEnv>, refusal: LockTokenRefusal, charged: boolean) {
  const after = afterRefusal(charged);
  if (refusal.code === 'lock_not_held') {
    return c.json(
      {
        code: refusal.code,
        message: `No lock named "${refusal.name}" is held: it was never taken, was released or has expired; take it again with POST /storage/sync/lock. ${after}`,
      },
      404,
    );
  }
  return c.json(
    {
      code: refusal.code,
      message: `The lock "${refusal.name}" is held under another token; only the holder of its token can release or extend it. ${after}`,
    },
    409,
  );
}

const notHeld = {
  404: {
    description: '`lock_not_held`: no such lock is held (nothing charged)',
    content: json(ErrorSchema),
  },
  409: {
    description: '`lock_token_mismatch`: held under another token (nothing charged)',
    content: json(ErrorSchema),
  },
};

const LockRequestSchema = z
  .object({ name: nameSchema, ttl: ttlSchema })
  .strict()
  .openapi('LockRequest');
type LockRequest = z.infer<typeof LockRequestSchema>;

const LockResponseSchema = z
  .discriminatedUnion('acquired', [
    z.object({
      acquired: z.literal(true),
      name: z.string(),
      token: tokenSchema.openapi({
        description: 'Secret proof of holding: unlock and extend need it.',
      }),
      expiresAt: expiresAtSchema,
    }),
    z.object({ acquired: z.literal(false), name: z.string(), expiresAt: expiresAtSchema }),
  ])
  .openapi('LockResponse', {
    example: {
      acquired: true,
      name: 'jobs:nightly-report',
      token: '9f86d081884c7d659a2feaa0c55ad015',
      expiresAt: '2026-11-20T12:00:30.000Z',
    },
  });

export const lockRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/sync/lock',
    tags: ['Storage'],
    summary: 'Acquire a lock',
    description: `Takes the lock \`name\` for \`ttl\` seconds (${sync.minTtlSeconds} to ${sync.maxTtlSeconds}) if it is free (never taken, released or expired), and returns its secret token. If it is held, the answer is \`acquired: false\` with the time it frees (no token); retry then. A payer holds at most ${sync.maxLocksPerPayer} locks (\`409 quota_exceeded\`, nothing charged). Locks are the payer's own: another payer's lock of the same name is another lock.`,
    request: { body: { required: true, content: json(LockRequestSchema) } },
    responses: {
      200: { description: 'Acquired, or held by someone else', content: json(LockResponseSchema) },
      409: {
        description: '`quota_exceeded`: too many locks held (nothing charged)',
        content: json(ErrorSchema),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c) => {
    const { name } = validBody<LockRequest>(c);
    const refusal = await storeOf(c).checkLockAcquire(name, Date.now());
    return refusal ? quotaRefusal(c, refusal, false) : null;
  },
  handler: async (c) => {
    const { name, ttl } = c.req.valid('json');
    const outcome = await storeOf(c).acquireLock(name, ttl, Date.now());
    if (outcome.type === 'refused') return quotaRefusal(c, outcome, true);
    if (outcome.type === 'busy')
      return c.json({ acquired: false as const, name, expiresAt: iso(outcome.expiresAt) }, 200);
    return c.json(
      { acquired: true as const, name, token: outcome.token, expiresAt: iso(outcome.expiresAt) },
      200,
    );
  },
});

const UnlockRequestSchema = z
  .object({ name: nameSchema, token: tokenSchema })
  .strict()
  .openapi('UnlockRequest');
type UnlockRequest = z.infer<typeof UnlockRequestSchema>;

/** unlock and extend refuse the same way: not held (404) or another token (409), before settling. */
const tokenPrecheck = async (c: Context<AppEnv>) => {
  const { name, token } = validBody<UnlockRequest>(c);
  const refusal = await storeOf(c).checkLockToken(name, token, Date.now());
  return refusal ? tokenRefusal(c, refusal, false) : null;
};

export const unlockRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/sync/unlock',
    tags: ['Storage'],
    summary: 'Release a lock',
    description:
      'Releases the lock `name` held under `token`. A lock not held (never taken, released or expired) is `404 lock_not_held`; one held under another token is `409 lock_token_mismatch`; neither is charged.',
    request: { body: { required: true, content: json(UnlockRequestSchema) } },
    responses: {
      200: {
        description: 'Released',
        content: json(
          z
            .object({ released: z.literal(true) })
            .openapi('UnlockResponse', { example: { released: true } }),
        ),
      },
      ...notHeld,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: tokenPrecheck,
  handler: async (c) => {
    const { name, token } = c.req.valid('json');
    const outcome = await storeOf(c).releaseLock(name, token, Date.now());
    if (outcome.type === 'refused') return tokenRefusal(c, outcome, true);
    return c.json({ released: true as const }, 200);
  },
});

const ExtendRequestSchema = z
  .object({ name: nameSchema, token: tokenSchema, ttl: ttlSchema })
  .strict()
  .openapi('ExtendLockRequest');

export const extendRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/sync/extend',
    tags: ['Storage'],
    summary: 'Extend a lock',
    description:
      'Holds the lock `name` (under `token`) for `ttl` seconds from now; the time left is replaced, not added to. The same refusals as unlock, never charged.',
    request: { body: { required: true, content: json(ExtendRequestSchema) } },
    responses: {
      200: {
        description: 'The new expiry',
        content: json(
          z.object({ name: z.string(), expiresAt: expiresAtSchema }).openapi('ExtendLockResponse', {
            example: { name: 'jobs:nightly-report', expiresAt: '2026-11-20T12:01:00.000Z' },
          }),
        ),
      },
      ...notHeld,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: tokenPrecheck,
  handler: async (c) => {
    const { name, token, ttl } = c.req.valid('json');
    const outcome = await storeOf(c).extendLock(name, token, ttl, Date.now());
    if (outcome.type === 'refused') return tokenRefusal(c, outcome, true);
    return c.json({ name, expiresAt: iso(outcome.expiresAt) }, 200);
  },
});

const LockStatusSchema = z
  .object({
    name: z.string(),
    held: z.boolean(),
    expiresAt: expiresAtSchema.nullable().openapi({ description: 'null when not held.' }),
  })
  .openapi('LockStatus', {
    example: { name: 'jobs:nightly-report', held: true, expiresAt: '2026-11-20T12:00:30.000Z' },
  });

export const lockStatusRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/sync/status/{name}',
    tags: ['Storage'],
    summary: 'Whether a lock is held',
    description: 'Whether the lock `name` is held now and until when; never its token.',
    request: {
      params: z.object({ name: nameSchema.openapi({ param: { name: 'name', in: 'path' } }) }),
    },
    responses: {
      200: { description: 'The lock', content: json(LockStatusSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { name } = c.req.valid('param');
    const status = await storeOf(c).lockStatus(name, Date.now());
    return c.json(
      {
        name,
        held: status.held,
        expiresAt: status.expiresAt === null ? null : iso(status.expiresAt),
      },
      200,
    );
  },
});

const LockListSchema = z
  .object({ locks: z.array(z.object({ name: z.string(), expiresAt: expiresAtSchema })) })
  .openapi('LockList', {
    example: { locks: [{ name: 'jobs:nightly-report', expiresAt: '2026-11-20T12:00:30.000Z' }] },
  });

export const lockListRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/sync/list',
    tags: ['Storage'],
    summary: 'List held locks',
    description: `Every lock the payer holds now (at most ${sync.maxLocksPerPayer}), by name; expired locks are not listed.`,
    responses: {
      200: { description: 'The held locks', content: json(LockListSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const locks = await storeOf(c).listLocks(Date.now());
    return c.json(
      { locks: locks.map((lock) => ({ name: lock.name, expiresAt: iso(lock.expiresAt) })) },
      200,
    );
  },
});

export const syncRoutes = [lockRoute, unlockRoute, extendRoute, lockStatusRoute, lockListRoute];
