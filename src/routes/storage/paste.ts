/**
 * `/storage/paste`: text shared by an unguessable id (128 random bits), public (anyone who pays
 * may read it) or private (its owner only). Stored in KV under `paste:{id}` with its owner, and
 * counted in the owner's KV quota. A paste the caller may not see answers exactly as a missing
 * one, so an id never tells whether a private paste exists.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { payerStore } from '../../durable-objects/payer-store';
import { bytesToHex } from '../../encoding/hex';
import { jsonError } from '../../payment/http-responses';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { STORAGE_LIMITS } from '../../storage/limits';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import { expirationFor, isoOrNull, pasteKey, utf8Length } from './kv-keys';
import { paymentIdOf, quotaResponse, reserveOrRefuse, validated } from './kv-quota';
import { expiresAtField, invalid, tooLarge, ttlField } from './kv-schemas';
import { identityOf, type PayerIdentity, payerOf, storeOf } from './payer';
import { scanAfterWrite } from './scans';

const { paste: limits } = STORAGE_LIMITS;
const TAGS = ['Storage: pastes'];

/** One answer for a paste that is missing, expired, deleted or someone else's private paste. */
const PASTE_NOT_FOUND_MESSAGE =
  'No paste with this id is visible to you (it may have expired or been deleted); nothing was charged.';
const NOT_FOUND_BODY = { code: 'not_found', message: PASTE_NOT_FOUND_MESSAGE } as const;
const pasteNotFound = () => jsonError(404, NOT_FOUND_BODY.code, NOT_FOUND_BODY.message);

const notFound = {
  404: {
    description:
      'No such paste, or a private paste of someone else: the same answer (never charged)',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

const VISIBILITY = ['public', 'private'] as const;
type Visibility = (typeof VISIBILITY)[number];

/** What `paste:{id}` holds in KV. */
export interface StoredPaste {
  content: string;
  title: string | null;
  language: string | null;
  visibility: Visibility;
  owner: PayerIdentity;
  /** Unix milliseconds. */
  createdAt: number;
  expiresAt: number | null;
}

/** 128 bits from the platform's CSPRNG, as 32 lower-case hex digits. */
export function newPasteId(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
}

const PASTE_ID = /^[0-9a-f]{32}$/;

export const PasteCreateRequestSchema = z
  .object({
    content: z
      .string()
      .superRefine((content, ctx) => {
        const bytes = utf8Length(content);
        if (bytes === 0) invalid(ctx, 'invalid_content', 'content must not be empty');
        else if (bytes > limits.contentBytes) {
          tooLarge(
            ctx,
            'content_too_large',
            `the content is ${bytes} bytes of UTF-8; at most ${limits.contentBytes} are allowed`,
          );
        }
      })
      .openapi({
        description: `The text, 1 to ${limits.contentBytes} bytes of UTF-8 (413 content_too_large beyond).`,
        example: 'console.log("hello");\n',
      }),
    title: z
      .string()
      .superRefine((title, ctx) => {
        if (utf8Length(title) > limits.titleBytes)
          invalid(ctx, 'title_too_long', `title may be at most ${limits.titleBytes} bytes`);
      })
      .optional()
      .openapi({ example: 'hello.js' }),
    language: z
      .string()
      .superRefine((language, ctx) => {
        const pattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9+#._-]{0,${limits.languageChars - 1}}$`);
        if (!pattern.test(language)) {
          invalid(
            ctx,
            'invalid_language',
            `language must be 1 to ${limits.languageChars} letters, digits or +#._- (such as typescript or c++)`,
          );
        }
      })
      .optional()
      .openapi({ description: 'A syntax hint for readers.', example: 'javascript' }),
    ttl: ttlField(limits.minTtlSeconds, limits.maxTtlSeconds)
      .optional()
      .openapi({
        description: `Seconds until the paste expires, ${limits.minTtlSeconds} to ${limits.maxTtlSeconds}; kept until deleted without it.`,
        example: 86_400,
      }),
    visibility: z.enum(VISIBILITY).openapi({
      description: 'public: anyone who pays may read it; private: only you.',
      example: 'public',
    }),
  })
  .strict()
  .openapi('PasteCreateRequest');

const pasteIdField = z.string().openapi({ example: '3f1c9a0e5b7d42c8a6e1f09b2d4c7e53' });

export const PasteCreateResponseSchema = z
  .object({
    id: pasteIdField,
    url: z.string().openapi({
      description: 'Where to read it (paid, like every read).',
      example: 'https://api.example.com/storage/paste/3f1c9a0e5b7d42c8a6e1f09b2d4c7e53',
    }),
    visibility: z.enum(VISIBILITY),
    expiresAt: expiresAtField,
  })
  .openapi('PasteCreated');

export const PasteSchema = z
  .object({
    id: pasteIdField,
    content: z.string().openapi({ example: 'console.log("hello");\n' }),
    title: z.string().nullable().openapi({ example: 'hello.js' }),
    language: z.string().nullable().openapi({ example: 'javascript' }),
    visibility: z.enum(VISIBILITY),
    createdAt: z.string().openapi({ example: '2026-11-01T12:00:00.000Z' }),
    expiresAt: expiresAtField,
  })
  .openapi('Paste');

export const PasteDeleteResponseSchema = z
  .object({ id: pasteIdField, deleted: z.literal(true) })
  .openapi('PasteDeleted');

const IdParamsSchema = z.object({
  id: z
    .string()
    .superRefine((id, ctx) => {
      if (!PASTE_ID.test(id))
        invalid(ctx, 'invalid_paste_id', 'a paste id is 32 lower-case hex digits');
    })
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'The id the paste was created with.',
      example: '3f1c9a0e5b7d42c8a6e1f09b2d4c7e53',
    }),
});

interface PasteCreate {
  content: string;
  title?: string;
  language?: string;
  ttl?: number;
  visibility: Visibility;
}

/** What a paste counts in its owner's quota: content, title and language. */
function pasteBytes({ content, title, language }: PasteCreate): number {
  return utf8Length(content) + utf8Length(title ?? '') + utf8Length(language ?? '');
}

/** The paste if it exists, has not expired, and the caller may see it. */
function visiblePaste(raw: StoredPaste | null, caller: PayerIdentity): StoredPaste | null {
  if (!raw || (raw.expiresAt !== null && raw.expiresAt <= Date.now())) return null;
  if (raw.visibility === 'public') return raw;
  const own = raw.owner.network === caller.network && raw.owner.payer === caller.payer;
  return own ? raw : null;
}

export const pasteCreateRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/paste',
    tags: TAGS,
    summary: 'Create a paste',
    description: `Stores a text under a new unguessable id and answers its URL. public: anyone who pays can read it; private: only you. Counted in your KV quota (409 quota_exceeded before settlement, never charged). Other locations may see it up to 60 s later.`,
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: PasteCreateRequestSchema } },
      },
    },
    responses: {
      200: {
        description: 'Created',
        content: { 'application/json': { schema: PasteCreateResponseSchema } },
      },
      ...quotaResponse,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  // The id is drawn after settlement; until then the reservation is the payment's.
  precheck: (c, payment) => {
    const paste = validated<PasteCreate>(c, 'json');
    return reserveOrRefuse(c, payment, {
      key: null,
      bytes: pasteBytes(paste),
      expiresAt: paste.ttl === undefined ? null : expirationFor(paste.ttl) * 1000,
    });
  },
  handler: async (c) => {
    const paste = c.req.valid('json');
    const id = newPasteId();
    const now = Date.now();
    const expiration = paste.ttl === undefined ? undefined : expirationFor(paste.ttl, now);
    const expiresAt = expiration === undefined ? null : expiration * 1000;
    const stored: StoredPaste = {
      content: paste.content,
      title: paste.title ?? null,
      language: paste.language ?? null,
      visibility: paste.visibility,
      owner: payerOf(c),
      createdAt: now,
      expiresAt,
    };
    await c.env.KV.put(pasteKey(id), JSON.stringify(stored), { expiration });
    await storeOf(c).recordKv({
      reservation: paymentIdOf(c),
      key: pasteKey(id),
      bytes: pasteBytes(paste),
      expiresAt,
    });
    // Scanned after the answer (never delaying or failing the write): GET /storage/scans.
    const text = paste.title === undefined ? paste.content : `${paste.title}\n\n${paste.content}`;
    await scanAfterWrite(c, [{ kind: 'paste', id, contentKey: pasteKey(id), text }]);
    return c.json(
      {
        id,
        url: new URL(`/storage/paste/${id}`, c.req.url).toString(),
        visibility: paste.visibility,
        expiresAt: isoOrNull(expiresAt),
      },
      200,
    );
  },
});

export const pasteGetRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/paste/{id}',
    tags: TAGS,
    summary: 'Read a paste',
    description:
      'A public paste, or a private paste of yours. A missing, expired or deleted paste and a private paste of someone else get the same 404 not_found, never charged.',
    request: { params: IdParamsSchema },
    responses: {
      200: { description: 'The paste', content: { 'application/json': { schema: PasteSchema } } },
      ...notFound,
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { id } = c.req.valid('param');
    const paste = visiblePaste(await c.env.KV.get<StoredPaste>(pasteKey(id), 'json'), payerOf(c));
    if (!paste) return c.json(NOT_FOUND_BODY, 404, { 'cache-control': 'no-store' });
    return c.json(
      {
        id,
        content: paste.content,
        title: paste.title,
        language: paste.language,
        visibility: paste.visibility,
        createdAt: new Date(paste.createdAt).toISOString(),
        expiresAt: isoOrNull(paste.expiresAt),
      },
      200,
    );
  },
});

export const pasteDeleteRoute = defineRoute({
  route: createRoute({
    method: 'delete',
    path: '/storage/paste/{id}',
    tags: TAGS,
    summary: 'Delete a paste',
    description:
      'Deletes a paste of yours. Ownership is checked in your Durable Object before settlement: a missing paste and someone else’s get the same 404 not_found, never charged.',
    request: { params: IdParamsSchema },
    responses: {
      200: {
        description: 'Deleted',
        content: { 'application/json': { schema: PasteDeleteResponseSchema } },
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c, payment) => {
    const { id } = validated<{ id: string }>(c, 'param');
    const { network, payer } = identityOf(payment);
    const owns = await payerStore(c.env, network, payer).hasKv(pasteKey(id));
    return owns ? null : pasteNotFound();
  },
  handler: async (c) => {
    const { id } = c.req.valid('param');
    await c.env.KV.delete(pasteKey(id));
    await storeOf(c).releaseKv(pasteKey(id));
    return c.json({ id, deleted: true as const }, 200);
  },
});

export const pasteRoutes = [pasteCreateRoute, pasteGetRoute, pasteDeleteRoute];
