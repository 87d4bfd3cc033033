/**
 * `POST /hashing/{algorithm}`: one declaration per algorithm, all of the same shape.
 * `data` is UTF-8 text, or bytes when written `0x` + hex; malformed hex is a 400 before any 402,
 * never silently read as zero bytes.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import { defineRoute, STANDARD } from '../registry';
import { HASH_ALGORITHMS, type HashAlgorithm } from './algorithms';

const EXAMPLE_DATA = 'hello world';
const EXAMPLE_INPUT = new TextEncoder().encode(EXAMPLE_DATA);

export const HashRequestSchema = z
  .object({
    data: z
      .string()
      .superRefine((data, ctx) => {
        if (!inputBytes(data)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'data starts with 0x, so it must be hex bytes: an even number of 0-9a-f digits',
            params: { code: 'invalid_hex' },
          });
        }
      })
      .openapi({
        description:
          'UTF-8 text, or bytes written as 0x + hex. The whole body may be up to 196,608 bytes (413 beyond).',
        example: EXAMPLE_DATA,
      }),
    encoding: z
      .enum(['hex', 'base64'])
      .default('hex')
      .openapi({ description: 'Output encoding: hex (0x-prefixed, default) or base64.' }),
  })
  .strict()
  .openapi('HashRequest');

export const HashResponseSchema = z
  .object({
    hash: z
      .string()
      .openapi({ example: '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' }),
    algorithm: z.string().openapi({ example: 'sha256' }),
    encoding: z.enum(['hex', 'base64']),
    inputLength: z.number().int().openapi({ description: 'Length of the input in bytes.' }),
  })
  .openapi('HashResponse');

/** The bytes `data` stands for: its UTF-8, or (`0x` first) the bytes its hex spells; else undefined. */
export function inputBytes(data: string): Uint8Array | undefined {
  if (!/^0x/i.test(data)) return new TextEncoder().encode(data);
  const hex = parseHex(data, { allowEmpty: true });
  return hex.ok ? hex.bytes : undefined;
}

export function encodeDigest(digest: Uint8Array, encoding: 'hex' | 'base64'): string {
  if (encoding === 'base64') return btoa(String.fromCharCode(...digest));
  return `0x${bytesToHex(digest)}`;
}

export function hashRoute(algorithm: HashAlgorithm) {
  const { title, description, digest } = HASH_ALGORITHMS[algorithm];
  return defineRoute({
    route: createRoute({
      method: 'post',
      path: `/hashing/${algorithm}`,
      tags: ['Hashing'],
      summary: `${title} hash`,
      description,
      request: {
        body: { required: true, content: { 'application/json': { schema: HashRequestSchema } } },
      },
      responses: {
        200: {
          description: `The ${title} digest`,
          content: {
            'application/json': {
              schema: HashResponseSchema,
              // The answer to the request example: its real digest under this algorithm.
              example: {
                hash: encodeDigest(digest(EXAMPLE_INPUT), 'hex'),
                algorithm,
                encoding: 'hex',
                inputLength: EXAMPLE_INPUT.length,
              },
            },
          },
        },
        ...errorResponses,
      },
    }),
    pricing: STANDARD,
    handler: (c) => {
      const { data, encoding } = c.req.valid('json');
      const bytes = inputBytes(data);
      // The body schema ran this same parse; reaching here with bad hex is a bug.
      if (!bytes) throw new Error('unvalidated hash input: bad hex');
      return c.json(
        {
          hash: encodeDigest(digest(bytes), encoding),
          algorithm,
          encoding,
          inputLength: bytes.length,
        },
        200,
      );
    },
  });
}
