/**
 * Schema parts shared by `/storage/kv` and `/storage/paste`: every KV limit is checked here, by
 * the route's validator, so a request over a limit is refused before the 402 and never charged.
 * Each issue carries its machine-readable code; a size over its limit is a 413 (the app's
 * defaultHook reads `params.status`), anything else a 400.
 */
import { z } from '@hono/zod-openapi';
import { STORAGE_LIMITS } from '../../storage/limits';
import { utf8Length } from './kv-keys';

const { kv } = STORAGE_LIMITS;

/** A 400 issue with its code. */
export function invalid(ctx: z.RefinementCtx<unknown>, code: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code } });
}

/** A 413 issue with its code: the request is valid but too large. */
export function tooLarge(ctx: z.RefinementCtx<unknown>, code: string, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code, status: 413 } });
}

/** A caller's key, in a body or a path: 1 to `kv.keyBytes` bytes of UTF-8. */
export const kvKeyField = z.string().superRefine((key, ctx) => {
  if (key.length === 0) invalid(ctx, 'invalid_key', 'the key must not be empty');
  else if (utf8Length(key) > kv.keyBytes) {
    invalid(
      ctx,
      'key_too_long',
      `the key is ${utf8Length(key)} bytes of UTF-8; at most ${kv.keyBytes} are allowed (KV's 512 bytes less the longest payer prefix)`,
    );
  }
});

/** A time to live in whole seconds, between `min` and `max`. */
export function ttlField(min: number, max: number) {
  return z.number().superRefine((ttl, ctx) => {
    if (!Number.isInteger(ttl))
      invalid(ctx, 'invalid_ttl', 'ttl must be a whole number of seconds');
    else if (ttl < min) invalid(ctx, 'ttl_too_short', `ttl must be at least ${min} seconds`);
    else if (ttl > max) invalid(ctx, 'ttl_too_long', `ttl must be at most ${max} seconds`);
  });
}

export const KvMetadataSchema = z
  .record(z.string(), z.unknown())
  .superRefine((metadata, ctx) => {
    const bytes = utf8Length(JSON.stringify(metadata));
    if (bytes > kv.metadataBytes) {
      tooLarge(
        ctx,
        'metadata_too_large',
        `the metadata is ${bytes} bytes as JSON; KV allows at most ${kv.metadataBytes}`,
      );
    }
  })
  .openapi('KvMetadata', {
    description: `A JSON object kept beside the value and returned by reads and lists; at most ${kv.metadataBytes} bytes as JSON.`,
    example: { contentType: 'text/plain', owner: 'build-42' },
  });

/** Ends of a value's life: an ISO 8601 time, or null for a value kept until deleted. */
export const expiresAtField = z.string().nullable().openapi({
  description: 'When the value expires (ISO 8601), or null if it was stored without a ttl.',
  example: '2026-12-01T12:00:00.000Z',
});
