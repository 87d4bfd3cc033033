/**
 * The request and answer schemas of `/storage/memory` (routes in memory.ts): every limit of
 * `STORAGE_LIMITS.memory` that needs no payer state is checked here, before any 402.
 */
import { z } from '@hono/zod-openapi';
import { STORAGE_LIMITS } from '../../storage/limits';
import { utf8Length } from './kv-keys';
import { invalid, tooLarge } from './kv-schemas';

export const { memory: limits } = STORAGE_LIMITS;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

export const memoryIdField = z
  .string()
  .superRefine((id, ctx) => {
    const bytes = utf8Length(id);
    if (bytes === 0 || CONTROL.test(id)) {
      invalid(ctx, 'invalid_id', 'an id must be non-empty text without control characters');
    } else if (bytes > limits.idBytes) {
      invalid(ctx, 'id_too_long', `an id is at most ${limits.idBytes} bytes; this one is ${bytes}`);
    }
  })
  .openapi({
    description: `Your name for the item: 1 to ${limits.idBytes} bytes of UTF-8, no control characters. Storing an id again replaces its item.`,
    example: 'note-42',
  });

/** A text to embed (an item's text, a query): 1 to `limits.textBytes` bytes. */
function embeddableText(what: string, code: string) {
  return z.string().superRefine((text, ctx) => {
    const bytes = utf8Length(text);
    if (text.trim() === '') invalid(ctx, `invalid_${what}`, `${what} must not be empty`);
    else if (bytes > limits.textBytes) {
      tooLarge(
        ctx,
        code,
        `${what} is ${bytes} bytes of UTF-8; at most ${limits.textBytes} are embedded (bge-base-en-v1.5 reads 512 tokens)`,
      );
    }
  });
}

export const MemoryMetadataSchema = z
  .record(z.string(), z.unknown())
  .superRefine((metadata, ctx) => {
    const bytes = utf8Length(JSON.stringify(metadata));
    if (bytes > limits.metadataBytes) {
      tooLarge(
        ctx,
        'metadata_too_large',
        `the metadata is ${bytes} bytes as JSON; at most ${limits.metadataBytes} are allowed`,
      );
    }
  })
  .openapi('MemoryMetadata', {
    description: `A JSON object kept with the item and returned by searches and lists; at most ${limits.metadataBytes} bytes as JSON.`,
    example: { source: 'notes.md', line: 12 },
  });

export const MemoryStoreRequestSchema = z
  .object({
    items: z
      .array(
        z
          .object({
            id: memoryIdField,
            text: embeddableText('text', 'text_too_large').openapi({
              description: `1 to ${limits.textBytes} bytes of UTF-8 (413 text_too_large beyond).`,
              example: 'the cat sat on the mat',
            }),
            metadata: MemoryMetadataSchema.optional(),
          })
          .strict(),
      )
      .superRefine((items, ctx) => {
        if (items.length === 0) invalid(ctx, 'invalid_items', 'send at least one item');
        else if (items.length > limits.maxItemsPerStore) {
          tooLarge(
            ctx,
            'too_many_items',
            `a store holds at most ${limits.maxItemsPerStore} items (this one has ${items.length}); store the rest separately`,
          );
        }
        const seen = new Set<string>();
        for (const { id } of items) {
          if (seen.has(id)) {
            invalid(ctx, 'duplicate_id', `the id ${JSON.stringify(id)} appears twice`);
            return;
          }
          seen.add(id);
        }
      })
      .openapi({
        description: `1 to ${limits.maxItemsPerStore} items with distinct ids.`,
      }),
  })
  .strict()
  .openapi('MemoryStoreRequest');

export const MemorySearchRequestSchema = z
  .object({
    query: embeddableText('query', 'query_too_large').openapi({
      description: `The text to look for, 1 to ${limits.textBytes} bytes of UTF-8.`,
      example: 'cat on a mat',
    }),
    limit: z
      .number()
      .superRefine((limit, ctx) => {
        if (!Number.isInteger(limit) || limit < 1 || limit > limits.searchMax) {
          invalid(
            ctx,
            'invalid_limit',
            `limit must be a whole number from 1 to ${limits.searchMax}`,
          );
        }
      })
      .optional()
      .openapi({
        description: `Results at most, 1 to ${limits.searchMax} (default ${limits.searchDefault}).`,
        example: 5,
      }),
    threshold: z
      .number()
      .superRefine((threshold, ctx) => {
        if (threshold < -1 || threshold > 1) {
          invalid(ctx, 'invalid_threshold', 'threshold is a cosine similarity, from -1 to 1');
        }
      })
      .optional()
      .openapi({
        description: 'Leave out results whose score is below this (-1 to 1).',
        example: 0.5,
      }),
  })
  .strict()
  .openapi('MemorySearchRequest');

export const MemoryDeleteRequestSchema = z
  .object({
    ids: z
      .array(memoryIdField)
      .superRefine((ids, ctx) => {
        if (ids.length === 0) invalid(ctx, 'invalid_ids', 'send at least one id');
        else if (ids.length > limits.maxIdsPerDelete) {
          tooLarge(
            ctx,
            'too_many_ids',
            `a delete takes at most ${limits.maxIdsPerDelete} ids (this one has ${ids.length})`,
          );
        }
      })
      .openapi({ example: ['note-42'] }),
  })
  .strict()
  .openapi('MemoryDeleteRequest');

/** A list cursor: the last id of the page, as base64url of its UTF-8. */
export function encodeCursor(id: string): string {
  const binary = String.fromCharCode(...new TextEncoder().encode(id));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The id a cursor names, or null when it is not a cursor of ours. */
export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    const id = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
    return memoryIdField.safeParse(id).success ? id : null;
  } catch {
    return null;
  }
}

export const MemoryListQuerySchema = z.object({
  limit: z
    .string()
    .superRefine((limit, ctx) => {
      const n = /^\d{1,4}$/.test(limit) ? Number(limit) : 0;
      if (n < 1 || n > limits.listMax)
        invalid(ctx, 'invalid_limit', `limit must be a whole number from 1 to ${limits.listMax}`);
    })
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: `Items per page, 1 to ${limits.listMax} (default ${limits.listDefault}).`,
      example: '50',
    }),
  cursor: z
    .string()
    .superRefine((cursor, ctx) => {
      if (decodeCursor(cursor) === null) {
        invalid(ctx, 'invalid_cursor', 'pass the `cursor` of the previous page unchanged');
      }
    })
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'The `cursor` of the previous page.',
    }),
});

const metadataOut = MemoryMetadataSchema.nullable();

export const MemoryStoreResponseSchema = z
  .object({
    stored: z.number().int().openapi({ example: 1 }),
    ids: z.array(z.string()).openapi({ example: ['note-42'] }),
  })
  .openapi('MemoryStoreResponse');

export const MemorySearchResponseSchema = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        metadata: metadataOut,
        score: z.number().openapi({
          description: 'Cosine similarity of the embeddings, -1 to 1, rounded to 6 decimals.',
          example: 0.843721,
        }),
      }),
    ),
  })
  .openapi('MemorySearchResponse');

export const MemoryListResponseSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        metadata: metadataOut,
        createdAt: z.string().openapi({
          description: 'When the id was first stored (ISO 8601).',
          example: '2026-11-01T12:00:00.000Z',
        }),
      }),
    ),
    cursor: z.string().nullable().openapi({
      description: 'Pass as `cursor` for the next page; null on the last page.',
      example: null,
    }),
  })
  .openapi('MemoryList');
