/**
 * `/storage/memory`: texts you store with their embeddings (Workers AI, bge-base-en-v1.5), searched
 * by meaning, in your payer's Durable Object (durable-objects/payer-store/memory.ts).
 *
 * Writes settle first (`upfront`): the item quota is checked before settlement (a refusal charges
 * nothing), then the texts are embedded and stored. Embedding costs money, so it never runs
 * before settlement; if Workers AI fails after it, the answer is a 502/503/504 with the AI's
 * error code and the payment is recorded as owed. A search settles after it succeeded: one that
 * fails (Workers AI too) is never charged. Size limits are checked by the schemas, before any 402.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AiError, aiClientFor } from '../../ai';
import { type MemoryRefusal, vectorBlob } from '../../durable-objects/payer-store/memory';
import type { AppEnv } from '../../env';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import {
  decodeCursor,
  encodeCursor,
  limits,
  MemoryDeleteRequestSchema,
  MemoryListQuerySchema,
  MemoryListResponseSchema,
  MemorySearchRequestSchema,
  MemorySearchResponseSchema,
  MemoryStoreRequestSchema,
  MemoryStoreResponseSchema,
} from './memory-schemas';
import { storeOf } from './payer';
import { afterRefusal, iso, json, validBody } from './payer-store-routes';
import { scanAfterWrite } from './scans';

const TAGS = ['Storage: memory'];

const readMetadata = (metadata: string | null): Record<string, unknown> | null =>
  metadata === null ? null : (JSON.parse(metadata) as Record<string, unknown>);

function quotaRefusal(c: Context<AppEnv>, refusal: MemoryRefusal, charged: boolean) {
  const { used, adding, limit } = refusal;
  return c.json(
    {
      code: refusal.code,
      message: `You keep ${used} memory items and this store would add ${adding}, past the ${limit} a payer may keep; delete or clear some first. ${afterRefusal(charged)}`,
      used,
      adding,
      limit,
    },
    409,
  );
}

/** Workers AI failed: 503 unavailable, 504 timed out, 502 an answer we cannot read. */
function aiFailure(c: Context<AppEnv>, error: unknown, charged: boolean) {
  if (!(error instanceof AiError)) throw error;
  const status = error.code === 'ai_timeout' ? 504 : error.code === 'ai_bad_response' ? 502 : 503;
  return c.json(
    {
      code: error.code,
      message: `The text could not be embedded: ${error.message} Try again later. ${afterRefusal(charged)}`,
    },
    status,
  );
}

const aiFailures = {
  502: {
    description: '`ai_bad_response`: Workers AI answered something unreadable',
    content: json(ErrorSchema),
  },
  503: {
    description: '`ai_unavailable`: Workers AI could not embed the text',
    content: json(ErrorSchema),
  },
  504: {
    description: '`ai_timeout`: Workers AI did not answer in time',
    content: json(ErrorSchema),
  },
};

export const memoryStoreRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/memory/store',
    tags: TAGS,
    summary: 'Store texts with their embeddings',
    description: `Embeds each text (bge-base-en-v1.5, 768 dimensions) and stores it under its id, replacing an item of the same id. A payer keeps at most ${limits.maxItemsPerPayer} items: beyond is \`409 quota_exceeded\`, checked before settlement and never charged. If Workers AI fails after settlement the answer is \`503 ai_unavailable\` (or \`504 ai_timeout\`, \`502 ai_bad_response\`) and the payment is recorded as owed to you. Each text is then scanned by Llama Guard (see \`GET /storage/scans\`).`,
    request: { body: { required: true, content: json(MemoryStoreRequestSchema) } },
    responses: {
      200: { description: 'Stored, in the order sent', content: json(MemoryStoreResponseSchema) },
      409: {
        description: '`quota_exceeded` (refused before settlement: never charged)',
        content: json(ErrorSchema),
      },
      ...errorResponses,
      ...aiFailures,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c) => {
    const { items } = validBody<z.infer<typeof MemoryStoreRequestSchema>>(c);
    const refusal = await storeOf(c).checkMemoryStore(items.map((item) => item.id));
    return refusal ? quotaRefusal(c, refusal, false) : null;
  },
  handler: async (c) => {
    const { items } = c.req.valid('json');
    let embeddings: number[][];
    try {
      embeddings = await aiClientFor(c.env).embed(items.map((item) => item.text));
    } catch (error) {
      return aiFailure(c, error, true);
    }
    const outcome = await storeOf(c).storeMemory(
      items.map((item, i) => ({
        id: item.id,
        text: item.text,
        metadata: item.metadata === undefined ? null : JSON.stringify(item.metadata),
        vector: vectorBlob(embeddings[i]),
      })),
      Date.now(),
    );
    if (outcome.type === 'refused') return quotaRefusal(c, outcome, true);
    await scanAfterWrite(
      c,
      items.map(({ id, text }) => ({ kind: 'memory', id, contentKey: null, text })),
    );
    return c.json({ stored: outcome.ids.length, ids: outcome.ids }, 200);
  },
});

export const memorySearchRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/memory/search',
    tags: TAGS,
    summary: 'Search your texts by meaning',
    description: `Embeds \`query\` and compares it with every item you stored (cosine similarity, brute force): the best \`limit\` (default ${limits.searchDefault}, at most ${limits.searchMax}), best first (equal scores by id), without those scoring below \`threshold\`. Charged only when it succeeded.`,
    request: { body: { required: true, content: json(MemorySearchRequestSchema) } },
    responses: {
      200: { description: 'The matches, best first', content: json(MemorySearchResponseSchema) },
      ...errorResponses,
      ...aiFailures,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { query, limit = limits.searchDefault, threshold } = c.req.valid('json');
    let vector: number[] | undefined;
    try {
      [vector] = await aiClientFor(c.env).embed([query]);
    } catch (error) {
      return aiFailure(c, error, false);
    }
    if (!vector) throw new Error('Workers AI answered no embedding for the query');
    const matches = await storeOf(c).searchMemory(vectorBlob(vector), limit, threshold ?? null);
    return c.json(
      {
        results: matches.map(({ id, text, metadata, score }) => ({
          id,
          text,
          metadata: readMetadata(metadata),
          score,
        })),
      },
      200,
    );
  },
});

export const memoryDeleteRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/memory/delete',
    tags: TAGS,
    summary: 'Delete items',
    description:
      'Deletes your items with these ids (and their scans); ids you do not have are skipped. When none of them is stored the answer is `404 not_found`, before settlement: never charged.',
    request: { body: { required: true, content: json(MemoryDeleteRequestSchema) } },
    responses: {
      200: {
        description: 'How many were deleted',
        content: json(
          z.object({ deleted: z.number().int() }).openapi('MemoryDeleteResponse', {
            example: { deleted: 1 },
          }),
        ),
      },
      404: {
        description: '`not_found`: none of the ids is stored (never charged)',
        content: json(ErrorSchema),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c) => {
    const { ids } = validBody<{ ids: string[] }>(c);
    if ((await storeOf(c).countMemoryIds(ids)) > 0) return null;
    return c.json(
      {
        code: 'not_found',
        message: 'None of these ids is stored in your memory; nothing was charged.',
      },
      404,
    );
  },
  handler: async (c) => {
    const { ids } = c.req.valid('json');
    return c.json(await storeOf(c).deleteMemory(ids), 200);
  },
});

export const memoryListRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/memory/list',
    tags: TAGS,
    summary: 'List your items',
    description: `Your items in id order (never their vectors), ${limits.listDefault} per page by default (at most ${limits.listMax}), continued with \`cursor\`.`,
    request: { query: MemoryListQuerySchema },
    responses: {
      200: { description: 'One page of items', content: json(MemoryListResponseSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await storeOf(c).listMemory(
      limit === undefined ? limits.listDefault : Number(limit),
      cursor === undefined ? null : decodeCursor(cursor),
    );
    return c.json(
      {
        items: page.items.map(({ id, text, metadata, createdAt }) => ({
          id,
          text,
          metadata: readMetadata(metadata),
          createdAt: iso(createdAt),
        })),
        cursor: page.next === null ? null : encodeCursor(page.next),
      },
      200,
    );
  },
});

export const memoryClearRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/memory/clear',
    tags: TAGS,
    summary: 'Delete every item',
    description: 'Deletes all your memory items and their scans.',
    responses: {
      200: {
        description: 'How many were deleted',
        content: json(
          z.object({ cleared: z.number().int() }).openapi('MemoryClearResponse', {
            example: { cleared: 12 },
          }),
        ),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  handler: async (c) => c.json(await storeOf(c).clearMemory(), 200),
});

export const memoryRoutes = [
  memoryStoreRoute,
  memorySearchRoute,
  memoryDeleteRoute,
  memoryListRoute,
  memoryClearRoute,
];
