/**
 * What the routes over the payer's Durable Object (`/storage/sync`, `/storage/queue`) share:
 * path-safe names, times, the validated body in a precheck, and the sentence after a refusal.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';

export const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** A lock or queue name: safe in a URL path segment (never `.` or `..`), at most `maxChars`. */
export function storageNameSchema(what: string, maxChars: number, example: string) {
  return z
    .string()
    .superRefine((name, ctx) => {
      if (name.length > maxChars || !NAME_PATTERN.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} must be 1 to ${maxChars} characters: a letter or digit, then letters, digits and . _ : -`,
          params: { code: 'invalid_name' },
        });
      }
    })
    .openapi({
      description: `1 to ${maxChars} characters: a letter or digit, then letters, digits and \`._:-\`.`,
      example,
    });
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** The validated JSON body, in a precheck (which runs inside the route, after its validators). */
export const validBody = <T>(c: Context<AppEnv>): T => c.req.valid('json' as never) as T;

/**
 * The sentence after a refusal: in a precheck nothing was charged; in the write itself (the state
 * changed since the precheck) the payment was settled and is owed to the payer.
 */
export const afterRefusal = (charged: boolean) =>
  charged ? 'The payment is recorded as owed to you.' : 'Nothing was charged.';
