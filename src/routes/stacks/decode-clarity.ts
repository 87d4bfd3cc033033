/**
 * `POST /stacks/decode/clarity`: a serialized Clarity value (SIP-005) as its type, JSON and
 * Clarity literal. The body schema decodes the value, so malformed hex, an oversized value or
 * bytes the node would reject are a free 400 (`invalid_hex`, `value_too_large`,
 * `invalid_clarity_value`), never a 402.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { hexByteLength, parseHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import { ClarityDecodeError, decodeClarityValue } from '../../stacks/clarity/deserialize';
import { CLARITY_TYPE_NAMES, describeClarityValue } from '../../stacks/clarity/format';
import { CLARITY_JSON_DESCRIPTION, type ClarityJson } from '../../stacks/clarity/json';
import { type ApiRoute, defineRoute, STANDARD } from '../registry';

/** Largest value accepted, in bytes (its hex is twice that, within the app's body limit). */
export const MAX_CLARITY_VALUE_BYTES = 65_536;

/** Decodes the hex of a value, or says why it cannot (the sentence becomes the 400 message). */
function decodeClarityHex(
  hex: string,
): { ok: true; bytes: Uint8Array } | { ok: false; code: string; message: string } {
  if (hexByteLength(hex) > MAX_CLARITY_VALUE_BYTES) {
    return {
      ok: false,
      code: 'value_too_large',
      message: `the value is ${hexByteLength(hex)} bytes; the limit is ${MAX_CLARITY_VALUE_BYTES}`,
    };
  }
  const parsed = parseHex(hex);
  if (!parsed.ok) return { ok: false, code: 'invalid_hex', message: parsed.reason };
  try {
    decodeClarityValue(parsed.bytes);
  } catch (error) {
    if (!(error instanceof ClarityDecodeError)) throw error;
    return {
      ok: false,
      code: 'invalid_clarity_value',
      message: `not a serialized Clarity value: ${error.message}`,
    };
  }
  return { ok: true, bytes: parsed.bytes };
}

export const DecodeClarityRequestSchema = z
  .object({
    hex: z
      .string()
      .superRefine((hex, ctx) => {
        const decoded = decodeClarityHex(hex);
        if (!decoded.ok) {
          ctx.addIssue({
            code: 'custom',
            message: decoded.message,
            params: { code: decoded.code },
          });
        }
      })
      .openapi({
        description: `A serialized Clarity value (SIP-005) in hex, 0x optional, at most ${MAX_CLARITY_VALUE_BYTES} bytes.`,
        example: '0x0c0000000201610100000000000000000000000000000001016209',
      }),
  })
  .strict()
  .openapi('DecodeClarityRequest');

// Recursive through a getter (zod 4); it documents the shape but does not tie each `type` to its
// `value` as the ClarityJson union does, hence the cast to that (narrower) type.
const ClarityJsonSchema: z.ZodType<ClarityJson> = z
  .object({
    type: z.enum(CLARITY_TYPE_NAMES),
    get value() {
      return ClarityJsonValueSchema;
    },
  })
  .openapi('ClarityValueJson', {
    description: `A Clarity value as JSON (the form POST /stacks/verify/sip018 reads back): ${CLARITY_JSON_DESCRIPTION}`,
  }) as unknown as z.ZodType<ClarityJson>;

const ClarityJsonValueSchema = z.union([
  z.string(),
  z.boolean(),
  z.null(),
  ClarityJsonSchema,
  z.array(ClarityJsonSchema),
  z.record(z.string(), ClarityJsonSchema),
]);

export const DecodeClarityResponseSchema = z
  .object({
    type: z.enum(CLARITY_TYPE_NAMES).openapi({
      description: 'The @stacks/transactions v7 ClarityType name of the value.',
      example: 'tuple',
    }),
    value: ClarityJsonValueSchema.openapi({
      description: `The value part of the value's JSON form: ${CLARITY_JSON_DESCRIPTION}`,
    }),
    repr: z.string().openapi({
      description:
        'The Clarity literal, as the Stacks API\'s repr: u1, -5, 0x0102, "abc", u"h\\u{c3a9}", \'ST….name, (ok u1), (some none), (list u1 u2), (tuple (a u1) (b none)) with fields in byte order.',
      example: '(tuple (a u1) (b none))',
    }),
  })
  .openapi('DecodedClarityValue', {
    example: {
      type: 'tuple',
      value: { a: { type: 'uint', value: '1' }, b: { type: 'none', value: null } },
      repr: '(tuple (a u1) (b none))',
    },
  });

export const decodeClarityRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/stacks/decode/clarity',
    tags: ['Stacks'],
    summary: 'Decode a Clarity value',
    description:
      "Decodes a serialized Clarity value (SIP-005, as in contract-call arguments and read-only results) exactly as a Stacks node would, and answers its type name, its JSON form and its Clarity literal (the Stacks API's repr). Malformed hex (400 invalid_hex), more than 64 KiB (400 value_too_large), or bytes the node rejects, including trailing bytes (400 invalid_clarity_value), are never charged.",
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: DecodeClarityRequestSchema } },
      },
    },
    responses: {
      200: {
        description: 'The decoded value',
        content: { 'application/json': { schema: DecodeClarityResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: (c) => {
    const decoded = decodeClarityHex(c.req.valid('json').hex);
    // The body schema ran this same decode; reaching here with bad bytes is a bug.
    if (!decoded.ok) throw new Error(`unvalidated Clarity value: ${decoded.message}`);
    return c.json(describeClarityValue(decodeClarityValue(decoded.bytes)), 200);
  },
});
