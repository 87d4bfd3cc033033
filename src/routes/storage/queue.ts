/**
 * `/storage/queue`: work queues in the payer's Durable Object, with priorities, delays, visibility
 * timeouts, acks and a dead state (the item lifecycle is described in
 * durable-objects/payer-store/queues.ts and docs/storage-schema.md).
 *
 * Writes settle first (`upfront`); the quotas a push could exceed are checked before settlement
 * (a refusal charges nothing) and again in the write. Size limits are checked by the schemas
 * before any 402. Reads (peek, status) settle after the handler.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { QueueItem, QueueRefusal } from '../../durable-objects/payer-store/queues';
import type { AppEnv } from '../../env';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import { storeOf } from './payer';
import { afterRefusal, json, validBody } from './payer-store-routes';
import {
  AckRequestSchema,
  ItemsSchema,
  limits,
  NackRequestSchema,
  PopRequestSchema,
  type PushRequest,
  PushRequestSchema,
  queueName,
  queueParam,
} from './queue-schemas';

const toItem = (item: QueueItem) => ({ ...item, data: JSON.parse(item.data) as unknown });

function quotaRefusal(c: Context<AppEnv>, refusal: QueueRefusal, charged: boolean) {
  const what =
    refusal.quota === 'queues'
      ? `You have ${refusal.used} queues, the most one payer may have; clear one before pushing to a new queue.`
      : `You keep ${refusal.used} queue items (pending, in flight and dead) and a payer may keep ${refusal.limit}; ack, or clear a queue, to make room.`;
  return c.json({ code: refusal.code, message: `${what} ${afterRefusal(charged)}` }, 409);
}

export const pushRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/queue/push',
    tags: ['Storage'],
    summary: 'Push items to a queue',
    description: `Adds items to \`queue\` (created by its first push) as pending, visible after \`delaySeconds\`. Higher \`priority\` pops first, then first pushed. A payer has at most ${limits.maxQueuesPerPayer} queues and ${limits.maxItemsPerPayer} items in them (pending, in flight and dead): beyond is \`409 quota_exceeded\`, nothing charged. Too many items is \`413 push_too_large\`, a large item \`413 item_too_large\`, both before any 402.`,
    request: { body: { required: true, content: json(PushRequestSchema) } },
    responses: {
      200: {
        description: 'The ids of the items, in the order sent',
        content: json(
          z
            .object({
              queue: z.string(),
              ids: z.array(z.string()),
              pending: z.number().int().openapi({ description: 'Pending items in the queue now.' }),
            })
            .openapi('QueuePushResponse', {
              example: { queue: 'emails', ids: ['5d41402abc4b2a76b9719d911017c592'], pending: 1 },
            }),
        ),
      },
      409: {
        description: '`quota_exceeded`: too many queues or items (nothing charged)',
        content: json(ErrorSchema),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c) => {
    const { queue, items } = validBody<PushRequest>(c);
    const refusal = await storeOf(c).checkQueuePush(queue, items.length, Date.now());
    return refusal ? quotaRefusal(c, refusal, false) : null;
  },
  handler: async (c) => {
    const { queue, items, priority, delaySeconds } = c.req.valid('json');
    const outcome = await storeOf(c).pushQueueItems(
      { queue, items: items.map((item) => JSON.stringify(item)), priority, delaySeconds },
      Date.now(),
    );
    if (outcome.type === 'refused') return quotaRefusal(c, outcome, true);
    return c.json({ queue, ids: outcome.ids, pending: outcome.pending }, 200);
  },
});

export const popRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/queue/pop',
    tags: ['Storage'],
    summary: 'Take items from a queue',
    description: `Takes up to \`count\` due pending items (highest priority, then first pushed); each counts an attempt and stays in flight for \`visibilityTimeout\` seconds. Ack it when done: otherwise it returns to pending when the timeout passes, or goes to \`dead\` once it has had ${limits.maxAttempts} attempts. An empty queue answers \`items: []\`.`,
    request: { body: { required: true, content: json(PopRequestSchema) } },
    responses: {
      200: { description: 'The items taken (maybe none)', content: json(ItemsSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  handler: async (c) => {
    const { queue, count, visibilityTimeout } = c.req.valid('json');
    const items = await storeOf(c).popQueueItems(queue, count, visibilityTimeout, Date.now());
    return c.json({ items: items.map(toItem) }, 200);
  },
});

export const ackRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/queue/ack',
    tags: ['Storage'],
    summary: 'Acknowledge items',
    description:
      'Marks in-flight items of `queue` done: they are deleted and counted in `done`. Ids not in flight (unknown, already acked, timed out, dead, of another queue) are skipped; `acked` counts the rest.',
    request: { body: { required: true, content: json(AckRequestSchema) } },
    responses: {
      200: {
        description: 'How many were acknowledged',
        content: json(
          z.object({ acked: z.number().int() }).openapi('QueueAckResponse', {
            example: { acked: 1 },
          }),
        ),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  handler: async (c) => {
    const { queue, ids } = c.req.valid('json');
    return c.json(await storeOf(c).ackQueueItems(queue, ids, Date.now()), 200);
  },
});

export const nackRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/queue/nack',
    tags: ['Storage'],
    summary: 'Give items back',
    description: `Returns in-flight items of \`queue\` to pending now (visible after \`delaySeconds\`), or to \`dead\` if they have had ${limits.maxAttempts} attempts. Ids not in flight are skipped.`,
    request: { body: { required: true, content: json(NackRequestSchema) } },
    responses: {
      200: {
        description: 'How many went back to pending, and how many to dead',
        content: json(
          z
            .object({ nacked: z.number().int(), dead: z.number().int() })
            .openapi('QueueNackResponse', { example: { nacked: 1, dead: 0 } }),
        ),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  handler: async (c) => {
    const { queue, ids, delaySeconds } = c.req.valid('json');
    return c.json(await storeOf(c).nackQueueItems(queue, ids, delaySeconds, Date.now()), 200);
  },
});

export const peekRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/queue/peek',
    tags: ['Storage'],
    summary: 'Look at the next items',
    description:
      'The items a pop would take now, in order, without taking them (attempts unchanged).',
    request: {
      query: z.object({
        queue: queueParam,
        count: z.coerce
          .number()
          .int()
          .min(1)
          .max(limits.maxItemsPerPop)
          .default(1)
          .openapi({ param: { name: 'count', in: 'query' }, example: 10 }),
      }),
    },
    responses: {
      200: { description: 'The next items (maybe none)', content: json(ItemsSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { queue, count } = c.req.valid('query');
    const items = await storeOf(c).peekQueueItems(queue, count, Date.now());
    return c.json({ items: items.map(toItem) }, 200);
  },
});

export const queueStatusRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/queue/status',
    tags: ['Storage'],
    summary: 'Count the items of a queue',
    description:
      'Items by state: `pending` (delayed ones included), `inFlight`, `dead`, and `done` (acknowledged since the queue was created or last cleared). A queue never pushed to counts zeros.',
    request: { query: z.object({ queue: queueParam }) },
    responses: {
      200: {
        description: 'The counts',
        content: json(
          z
            .object({
              queue: z.string(),
              pending: z.number().int(),
              inFlight: z.number().int(),
              done: z.number().int(),
              dead: z.number().int(),
            })
            .openapi('QueueStatus', {
              example: { queue: 'emails', pending: 3, inFlight: 1, done: 12, dead: 0 },
            }),
        ),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { queue } = c.req.valid('query');
    return c.json(await storeOf(c).queueStatus(queue, Date.now()), 200);
  },
});

export const clearRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/queue/clear',
    tags: ['Storage'],
    summary: 'Delete a queue',
    description:
      'Deletes every item of `queue` (pending, in flight and dead) and its `done` count; the queue no longer counts toward the quota.',
    request: {
      body: {
        required: true,
        content: json(z.object({ queue: queueName }).strict().openapi('QueueClearRequest')),
      },
    },
    responses: {
      200: {
        description: 'How many items were deleted',
        content: json(
          z.object({ cleared: z.number().int() }).openapi('QueueClearResponse', {
            example: { cleared: 4 },
          }),
        ),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  handler: async (c) => {
    const { queue } = c.req.valid('json');
    return c.json(await storeOf(c).clearQueue(queue), 200);
  },
});

export const queueRoutes = [
  pushRoute,
  popRoute,
  ackRoute,
  nackRoute,
  peekRoute,
  queueStatusRoute,
  clearRoute,
];
