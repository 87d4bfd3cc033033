/**
 * The request and item schemas of `/storage/queue` (routes in queue.ts): every limit of
 * `STORAGE_LIMITS.queue` that needs no payer state is checked here, before any 402.
 */
import { z } from '@hono/zod-openapi';
import { STORAGE_LIMITS } from '../../storage/limits';
import { storageNameSchema } from './payer-store-routes';

export const { queue: limits } = STORAGE_LIMITS;
const encoder = new TextEncoder();

export const queueName = storageNameSchema('queue', limits.nameChars, 'emails');
const seconds = (what: string, min: number, max: number, example: number) =>
  z
    .number()
    .int(`${what} must be a whole number of seconds`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max} seconds`)
    .openapi({ example });
const itemIds = z
  .array(z.string().regex(/^[0-9a-f]{32}$/, 'an item id is 32 lower-case hex digits'))
  .min(1, 'send at least one id')
  .max(limits.maxItemsPerPop, `send at most ${limits.maxItemsPerPop} ids`)
  .openapi({ example: ['5d41402abc4b2a76b9719d911017c592'] });

const ItemSchema = z
  .object({
    id: z.string(),
    data: z.unknown().openapi({ description: 'The JSON value pushed.' }),
    attempts: z.number().int().openapi({ description: 'Pops so far, this one included.' }),
    priority: z.number().int(),
  })
  .openapi('QueueItem');
export const ItemsSchema = z.object({ items: z.array(ItemSchema) }).openapi('QueueItems', {
  example: {
    items: [
      {
        id: '5d41402abc4b2a76b9719d911017c592',
        data: { to: 'ada@example.com' },
        attempts: 1,
        priority: 0,
      },
    ],
  },
});

export const PushRequestSchema = z
  .object({
    queue: queueName,
    items: z
      .array(z.unknown())
      .superRefine((items, ctx) => {
        if (items.length === 0) {
          ctx.addIssue({ code: 'custom', message: 'push at least one item' });
        } else if (items.length > limits.maxItemsPerPush) {
          ctx.addIssue({
            code: 'custom',
            message: `a push holds at most ${limits.maxItemsPerPush} items (this one has ${items.length}); push the rest separately`,
            params: { code: 'push_too_large', status: 413 },
          });
        }
        items.forEach((item, index) => {
          const bytes = encoder.encode(JSON.stringify(item)).length;
          if (bytes > limits.itemBytes) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `an item is at most ${limits.itemBytes} bytes of JSON; this one is ${bytes}`,
              params: { code: 'item_too_large', status: 413 },
            });
          }
        });
      })
      .openapi({
        description: `1 to ${limits.maxItemsPerPush} JSON values, each at most ${limits.itemBytes} bytes as JSON (413 beyond).`,
        example: [{ to: 'ada@example.com' }],
      }),
    priority: z
      .number()
      .int('priority must be a whole number')
      .min(limits.minPriority)
      .max(limits.maxPriority)
      .default(0)
      .openapi({ description: 'Higher pops first; equal priorities pop in push order.' }),
    delaySeconds: seconds('delaySeconds', 0, limits.maxDelaySeconds, 0)
      .default(0)
      .openapi({ description: 'The items stay invisible (but pending) for this long.' }),
  })
  .strict()
  .openapi('QueuePushRequest');
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const PopRequestSchema = z
  .object({
    queue: queueName,
    count: z
      .number()
      .int()
      .min(1)
      .max(limits.maxItemsPerPop)
      .default(1)
      .openapi({ description: 'Items to take at most.' }),
    visibilityTimeout: seconds(
      'visibilityTimeout',
      limits.minVisibilityTimeoutSeconds,
      limits.maxVisibilityTimeoutSeconds,
      30,
    )
      .default(30)
      .openapi({ description: 'Seconds the items stay in flight before they return.' }),
  })
  .strict()
  .openapi('QueuePopRequest');

export const AckRequestSchema = z
  .object({ queue: queueName, ids: itemIds })
  .strict()
  .openapi('QueueAckRequest');

export const NackRequestSchema = z
  .object({
    queue: queueName,
    ids: itemIds,
    delaySeconds: seconds('delaySeconds', 0, limits.maxDelaySeconds, 0)
      .default(0)
      .openapi({ description: 'The items return invisible for this long.' }),
  })
  .strict()
  .openapi('QueueNackRequest');

export const queueParam = queueName.openapi({ param: { name: 'queue', in: 'query' } });
