/**
 * `/storage/kv`: Workers KV for each payer (DESIGN section 8). Values with metadata and a TTL,
 * stored under `kv:{network}:{payer}:{key}` so that a payer only ever reaches its own keys, and
 * listed with KV's own cursor. KV's limits are checked by the schemas (before the 402); the quota
 * by the payer's Durable Object before settlement. KV is eventually consistent: a write can take
 * up to 60 s to be visible in other locations (reads in the same location usually see it at once).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { payerStore } from '../../durable-objects/payer-store';
import { jsonError } from '../../payment/http-responses';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { STORAGE_LIMITS } from '../../storage/limits';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import {
  expirationFor,
  isoOrNull,
  kvKeyPrefix,
  readStoredKvValue,
  type StoredKvValue,
  storedKvKey,
  utf8Length,
} from './kv-keys';
import { paymentIdOf, quotaResponse, reserveOrRefuse, validated } from './kv-quota';
import {
  expiresAtField,
  invalid,
  KvMetadataSchema,
  kvKeyField,
  tooLarge,
  ttlField,
} from './kv-schemas';
import { identityOf, payerOf, storeOf } from './payer';
import { scanAfterWrite } from './scans';

const { kv } = STORAGE_LIMITS;
const TAGS = ['Storage: KV'];

const notFound = {
  404: {
    description: 'No live value under this key for this payer (never charged)',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

const KEY_NOT_FOUND_MESSAGE =
  'No value is stored under this key (it may have expired or been deleted); nothing was charged.';

const keyDescription = `Your key: 1 to ${kv.keyBytes} bytes of UTF-8 (KV's 512-byte limit less the longest payer prefix, kv:stacks:2147483648:{address}:, 63 bytes).`;

export const KvWriteRequestSchema = z
  .object({
    key: kvKeyField.openapi({ description: keyDescription, example: 'settings/theme' }),
    value: z
      .string()
      .superRefine((value, ctx) => {
        const bytes = utf8Length(value);
        if (bytes > kv.valueBytes) {
          tooLarge(
            ctx,
            'value_too_large',
            `the value is ${bytes} bytes of UTF-8; at most ${kv.valueBytes} are allowed`,
          );
        }
      })
      .openapi({
        description: `Text (store JSON as a string), at most ${kv.valueBytes} bytes of UTF-8 (413 value_too_large beyond).`,
        example: '{"theme":"dark"}',
      }),
    metadata: KvMetadataSchema.optional(),
    ttl: ttlField(kv.minTtlSeconds, kv.maxTtlSeconds)
      .optional()
      .openapi({
        description: `Seconds until the value expires, ${kv.minTtlSeconds} to ${kv.maxTtlSeconds}; kept until deleted without it.`,
        example: 3600,
      }),
  })
  .strict()
  .openapi('KvWriteRequest');

export const KvWriteResponseSchema = z
  .object({
    key: z.string().openapi({ example: 'settings/theme' }),
    created: z
      .boolean()
      .openapi({ description: 'true: the key was new; false: its value was replaced.' }),
    size: z.number().int().openapi({ description: 'Bytes of the value (UTF-8).', example: 16 }),
    expiresAt: expiresAtField,
  })
  .openapi('KvWriteResponse');

export const KvValueSchema = z
  .object({
    key: z.string().openapi({ example: 'settings/theme' }),
    value: z.string().openapi({ example: '{"theme":"dark"}' }),
    metadata: KvMetadataSchema.nullable(),
    expiresAt: expiresAtField,
  })
  .openapi('KvValue');

export const KvDeleteResponseSchema = z
  .object({
    key: z.string().openapi({ example: 'settings/theme' }),
    deleted: z.literal(true),
  })
  .openapi('KvDeleteResponse');

export const KvListResponseSchema = z
  .object({
    keys: z.array(
      z.object({
        key: z.string().openapi({ example: 'settings/theme' }),
        expiresAt: expiresAtField,
        metadata: KvMetadataSchema.nullable(),
      }),
    ),
    cursor: z.string().nullable().openapi({
      description: 'Pass as `cursor` for the next page; null when the listing is complete.',
      example: null,
    }),
    complete: z.boolean().openapi({ example: true }),
  })
  .openapi('KvList');

const KeyParamsSchema = z.object({
  key: kvKeyField.openapi({
    param: { name: 'key', in: 'path' },
    description: `${keyDescription} URL-encode it (a / is %2F).`,
    example: 'settings%2Ftheme',
  }),
});

const ListQuerySchema = z.object({
  prefix: z
    .string()
    .superRefine((prefix, ctx) => {
      if (utf8Length(prefix) > kv.keyBytes)
        invalid(ctx, 'prefix_too_long', `the prefix may be at most ${kv.keyBytes} bytes`);
    })
    .optional()
    .openapi({
      param: { name: 'prefix', in: 'query' },
      description: 'Only keys that start with this.',
      example: 'settings/',
    }),
  limit: z
    .string()
    .superRefine((limit, ctx) => {
      const n = /^\d{1,4}$/.test(limit) ? Number(limit) : 0;
      if (n < 1 || n > kv.listMax)
        invalid(ctx, 'invalid_limit', `limit must be a whole number from 1 to ${kv.listMax}`);
    })
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: `Keys per page, 1 to ${kv.listMax} (default ${kv.listDefault}).`,
      example: '100',
    }),
  cursor: z
    .string()
    .max(1024)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'The `cursor` of the previous page.',
    }),
});

interface KvWrite {
  key: string;
  value: string;
  metadata?: Record<string, unknown>;
  ttl?: number;
}

/** What a write counts in the payer's quota: its key, value and metadata. */
function entryBytes({ key, value, metadata }: KvWrite): number {
  return (
    utf8Length(key) + utf8Length(value) + (metadata ? utf8Length(JSON.stringify(metadata)) : 0)
  );
}

export const kvPutRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/kv',
    tags: TAGS,
    summary: 'Store a KV value',
    description: `Creates or replaces the value under one of your keys, with optional metadata (at most ${kv.metadataBytes} bytes as JSON) and ttl (${kv.minTtlSeconds} s to ${kv.maxTtlSeconds} s). Settled before the write; your quota (${STORAGE_LIMITS.kvQuota.entries} entries, ${STORAGE_LIMITS.kvQuota.bytes} bytes with your pastes) is checked before settlement (409 quota_exceeded, never charged). Another location may see the new value up to 60 s later.`,
    request: {
      body: { required: true, content: { 'application/json': { schema: KvWriteRequestSchema } } },
    },
    responses: {
      200: {
        description: 'Stored; `created` says whether the key was new',
        content: { 'application/json': { schema: KvWriteResponseSchema } },
      },
      ...quotaResponse,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: (c, payment) => {
    const write = validated<KvWrite>(c, 'json');
    return reserveOrRefuse(c, payment, {
      key: storedKvKey(identityOf(payment), write.key),
      bytes: entryBytes(write),
      expiresAt: write.ttl === undefined ? null : expirationFor(write.ttl) * 1000,
    });
  },
  handler: async (c) => {
    const write = c.req.valid('json');
    const identity = payerOf(c);
    const key = storedKvKey(identity, write.key);
    const expiration = write.ttl === undefined ? undefined : expirationFor(write.ttl);
    const expiresAt = expiration === undefined ? null : expiration * 1000;
    const stored: StoredKvValue = { value: write.value, expiresAt };
    await c.env.KV.put(key, JSON.stringify(stored), { expiration, metadata: write.metadata });
    const { created } = await storeOf(c).recordKv({
      reservation: paymentIdOf(c),
      key,
      bytes: entryBytes(write),
      expiresAt,
    });
    // Scanned after the answer (never delaying or failing the write): GET /storage/scans.
    await scanAfterWrite(c, [{ kind: 'kv', id: write.key, contentKey: key, text: write.value }]);
    return c.json(
      {
        key: write.key,
        created,
        size: utf8Length(write.value),
        expiresAt: isoOrNull(expiresAt),
      },
      200,
    );
  },
});

export const kvGetRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/kv/{key}',
    tags: TAGS,
    summary: 'Read a KV value',
    description:
      'The value under one of your keys, with its metadata and expiry. A missing or expired key is a 404 not_found and is not charged. A value written in another location may take up to 60 s to appear.',
    request: { params: KeyParamsSchema },
    responses: {
      200: {
        description: 'The value',
        content: { 'application/json': { schema: KvValueSchema } },
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { key } = c.req.valid('param');
    const { value: raw, metadata } = await c.env.KV.getWithMetadata<Record<string, unknown>>(
      storedKvKey(payerOf(c), key),
      'text',
    );
    const stored = readStoredKvValue(raw);
    if (!stored) return c.json({ code: 'not_found', message: KEY_NOT_FOUND_MESSAGE }, 404);
    return c.json(
      {
        key,
        value: stored.value,
        metadata: metadata ?? null,
        expiresAt: isoOrNull(stored.expiresAt),
      },
      200,
    );
  },
});

export const kvDeleteRoute = defineRoute({
  route: createRoute({
    method: 'delete',
    path: '/storage/kv/{key}',
    tags: TAGS,
    summary: 'Delete a KV value',
    description:
      'Deletes one of your keys. Whether the key exists is checked in your Durable Object before settlement, so deleting a missing key is a 404 not_found and is not charged. Other locations may serve the old value for up to 60 s.',
    request: { params: KeyParamsSchema },
    responses: {
      200: {
        description: 'Deleted',
        content: { 'application/json': { schema: KvDeleteResponseSchema } },
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c, payment) => {
    const { key } = validated<{ key: string }>(c, 'param');
    const identity = identityOf(payment);
    const store = payerStore(c.env, identity.network, identity.payer);
    if (await store.hasKv(storedKvKey(identity, key))) return null;
    return jsonError(404, 'not_found', KEY_NOT_FOUND_MESSAGE);
  },
  handler: async (c) => {
    const { key } = c.req.valid('param');
    const stored = storedKvKey(payerOf(c), key);
    await c.env.KV.delete(stored);
    // The key was there when the precheck looked; deleted meanwhile, it is still gone as asked.
    await storeOf(c).releaseKv(stored);
    return c.json({ key, deleted: true as const }, 200);
  },
});

export const kvListRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/kv',
    tags: TAGS,
    summary: 'List KV keys',
    description: `Your keys (never anyone else's), in KV's order, with their expiry and metadata: KV's own list, ${kv.listDefault} per page by default (at most ${kv.listMax}), continued with \`cursor\`. Eventually consistent: a key written or deleted in another location may take up to 60 s to show.`,
    request: { query: ListQuerySchema },
    responses: {
      200: {
        description: 'One page of keys',
        content: { 'application/json': { schema: KvListResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { prefix = '', limit, cursor } = c.req.valid('query');
    const own = kvKeyPrefix(payerOf(c));
    let page: KVNamespaceListResult<Record<string, unknown>>;
    try {
      page = await c.env.KV.list<Record<string, unknown>>({
        prefix: own + prefix,
        limit: limit === undefined ? kv.listDefault : Number(limit),
        cursor,
      });
    } catch (error) {
      if (cursor === undefined) throw error;
      return c.json(
        {
          code: 'invalid_cursor',
          message:
            'KV refused this cursor; pass the `cursor` of the previous page of this listing unchanged (nothing was charged).',
        },
        400,
      );
    }
    return c.json(
      {
        keys: page.keys.map(({ name, expiration, metadata }) => ({
          key: name.slice(own.length),
          expiresAt: isoOrNull(expiration === undefined ? null : expiration * 1000),
          metadata: metadata ?? null,
        })),
        cursor: page.list_complete ? null : page.cursor,
        complete: page.list_complete,
      },
      200,
    );
  },
});

export const kvRoutes = [kvPutRoute, kvGetRoute, kvDeleteRoute, kvListRoute];
