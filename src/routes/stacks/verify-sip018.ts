/**
 * `POST /stacks/verify/sip018`: verifies a SIP-018 signed structured data signature exactly as the
 * SIP specifies (src/stacks/signatures/sip018.ts): hash = sha256("SIP018" || sha256(wire(domain))
 * || sha256(wire(message))), then recover the secp256k1 signer from the RSV signature.
 *
 * The message is a Clarity value: hex of its consensus serialization, or the JSON form every route
 * answers values in (src/stacks/clarity/json.ts, read by src/stacks/clarity/input.ts), so what
 * /stacks/decode/clarity answers can be signed-checked as is. The domain is
 * {name, version, chainId}; name and version are Clarity string-ascii, chainId the uint
 * `chain-id` (1 mainnet, 2147483648 testnet, or another chain's 32-bit id).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bytesToHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import { NOT_CLARITY_ASCII } from '../../stacks/clarity/deserialize';
import { parseClarityInput } from '../../stacks/clarity/input';
import {
  CLARITY_JSON_DESCRIPTION,
  CLARITY_JSON_INPUT_DESCRIPTION,
} from '../../stacks/clarity/json';
import { parseRsvSignature } from '../../stacks/signatures/recover';
import { judgeSignature } from '../../stacks/signatures/signer';
import { MAX_CHAIN_ID, sip018Hashes } from '../../stacks/signatures/sip018';
import { defineRoute, STANDARD } from '../registry';
import {
  atMostOneSigner,
  configuredNetwork,
  expectedSignerOf,
  MAX_MESSAGE_CHARS,
  signerFields,
  validated,
  verdictFields,
} from './verify-message';

/** Longest domain name or version, in characters. */
export const MAX_DOMAIN_FIELD_CHARS = 4096;

function invalidDomain(ctx: z.RefinementCtx, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code: 'invalid_domain' } });
}

const domainText = (field: string, example: string) =>
  z
    .string()
    .max(MAX_DOMAIN_FIELD_CHARS)
    .superRefine((value, ctx) => {
      if (NOT_CLARITY_ASCII.test(value)) {
        invalidDomain(
          ctx,
          `domain.${field} is a Clarity string-ascii: printable ASCII, tab, line feed, form feed and carriage return only`,
        );
      }
    })
    .openapi({ description: `The domain's ${field} (string-ascii).`, example });

export const Sip018DomainSchema = z
  .object({
    name: domainText('name', 'Test App'),
    version: domainText('version', '1.0.0'),
    chainId: z
      .number()
      .superRefine((value, ctx) => {
        if (!Number.isInteger(value) || value < 1 || value > MAX_CHAIN_ID) {
          invalidDomain(
            ctx,
            `domain.chainId must be a whole number from 1 to ${MAX_CHAIN_ID}: 1 for mainnet, 2147483648 for testnet`,
          );
        }
      })
      .openapi({
        description: 'The uint chain-id: 1 mainnet, 2147483648 testnet.',
        example: 1,
      }),
  })
  .strict()
  .openapi('Sip018Domain');

export const Sip018MessageSchema = z
  .union([z.string().max(MAX_MESSAGE_CHARS), z.record(z.string(), z.unknown())])
  .superRefine((value, ctx) => {
    const parsed = parseClarityInput(value, 'message');
    if (!parsed.ok) {
      ctx.addIssue({
        code: 'custom',
        message: parsed.message,
        params: { code: 'invalid_clarity_value' },
      });
    }
  })
  .openapi({
    description: `The signed Clarity value: hex of its consensus serialization (0x optional, tuple fields in byte order of their names), or its JSON form, the one /stacks/decode/clarity answers (its whole answer, repr included, is accepted as is): ${CLARITY_JSON_DESCRIPTION} ${CLARITY_JSON_INPUT_DESCRIPTION} For example {"type":"tuple","value":{"amount":{"type":"uint","value":"1000"},"memo":{"type":"none","value":null}}}.`,
    example: { type: 'ascii', value: 'Hello World' },
  });

export const VerifySip018RequestSchema = z
  .object({
    domain: Sip018DomainSchema,
    message: Sip018MessageSchema,
    ...signerFields,
  })
  .strict()
  .superRefine(atMostOneSigner)
  .openapi('VerifySip018Request');

const hex32 = (description: string, example: string) =>
  z.string().openapi({ description, example });

export const VerifySip018ResponseSchema = z
  .object({
    ...verdictFields,
    domainHash: hex32(
      'sha256 of the domain tuple {chain-id, name, version} in wire format.',
      '2538b5dc06c5ae2f11549261d7ae174d9f77a55a92b00f330884695497be5065',
    ),
    messageHash: hex32(
      "sha256 of the message's wire format (the SIP's structuredDataHash(message)).",
      '5297eef9765c466d945ad1cb2c81b30b9fed6c165575dc9226e9edf78b8cd9e8',
    ),
    hash: hex32(
      'sha256("SIP018" || domainHash || messageHash): the signed hash.',
      '1bfdab6d4158313ce34073fbb8d6b0fc32c154d439def12247a0f44bb2225259',
    ),
    serializedMessage: z.string().openapi({
      description: 'Hex of the message as hashed (its consensus serialization).',
      example: '0d0000000b48656c6c6f20576f726c64',
    }),
  })
  .openapi('VerifySip018Response');

export const verifySip018Route = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/stacks/verify/sip018',
    tags: ['Stacks'],
    summary: 'Verify a SIP-018 structured data signature',
    description:
      'Verifies a SIP-018 signature (wallet stx_signStructuredMessage): hashes sha256("SIP018" || sha256(domain) || sha256(message)) over the Clarity wire format, recovers the secp256k1 signer from the RSV signature, and compares it with publicKey or address when given.',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: VerifySip018RequestSchema } },
      },
    },
    responses: {
      200: {
        description:
          'The verdict and the hashes (a signature that does not verify is valid: false)',
        content: { 'application/json': { schema: VerifySip018ResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: (c) => {
    const body = c.req.valid('json');
    const message = validated(parseClarityInput(body.message, 'message'));
    const hashes = sip018Hashes(body.domain, message.serialized);
    const verdict = judgeSignature(
      hashes.hash,
      validated(parseRsvSignature(body.signature)),
      expectedSignerOf(body),
      configuredNetwork(c.env),
    );
    return c.json(
      {
        ...verdict,
        domainHash: bytesToHex(hashes.domainHash),
        messageHash: bytesToHex(hashes.messageHash),
        hash: bytesToHex(hashes.hash),
        serializedMessage: bytesToHex(message.serialized),
      },
      200,
    );
  },
});
