/**
 * `POST /stacks/verify/message`: verifies a Stacks signed message, the plain-text signature of
 * wallets' `stx_signMessage` (see src/stacks/signatures/message.ts for the hashed bytes and
 * recover.ts for the RSV signature form). Also exports the signer fields and verdict shared with
 * `POST /stacks/verify/sip018`.
 *
 * Malformed input (hex, signature length or range, public key, address, both publicKey and
 * address) is a free 400 before any 402. A well-formed signature that does not verify is a paid
 * 200 with `valid: false`: that is the answer the caller paid for.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { getServiceConfig } from '../../config';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import { hashStacksMessage } from '../../stacks/signatures/message';
import { type Parsed, parsePublicKey, parseRsvSignature } from '../../stacks/signatures/recover';
import {
  type ExpectedSigner,
  judgeSignature,
  parseStandardAddress,
} from '../../stacks/signatures/signer';
import type { StacksNetworkName } from '../../stacks/tokens';
import { defineRoute, STANDARD } from '../registry';

/** Longest message accepted, in characters (64 KiB of bytes written as hex fits). */
export const MAX_MESSAGE_CHARS = 131_072;

/** A refinement that runs a parser and reports its message under a machine-readable code. */
export function parsedBy(parse: (value: string) => Parsed<unknown>, code: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    const result = parse(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message, params: { code } });
  };
}

/** The value of a parse already checked by the request schema. */
export function validated<T>(result: Parsed<T>): T {
  if (!result.ok)
    throw new Error(`unreachable: validated input failed to parse: ${result.message}`);
  return result.value;
}

/** Signature and expected signer: the request fields every signature route shares. */
export const signerFields = {
  signature: z
    .string()
    .max(200)
    .superRefine(parsedBy(parseRsvSignature, 'invalid_signature'))
    .openapi({
      description:
        'The 65-byte recoverable signature in RSV order (r, s, recovery id last) as wallets return it: 130 hex digits, 0x optional.',
      example:
        '8b94e45701d857c9f1d1d70e8b2ca076045dae4920fb0160be0642a68cd78de072ab527b5c5277a593baeb2a8b657c216b99f7abb5d14af35b4bf12ba6460ba401',
    }),
  publicKey: z
    .string()
    .max(200)
    .superRefine(parsedBy(parsePublicKey, 'invalid_public_key'))
    .optional()
    .openapi({
      description:
        'Expected signer key (hex, compressed or uncompressed): valid means the signature recovers exactly this key. Give publicKey or address, not both.',
      example: '0390a5cac7c33fda49f70bc1b0866fa0ba7a9440d9de647fecb8132ceb76a94dfa',
    }),
  address: z
    .string()
    .max(200)
    .superRefine(parsedBy(parseStandardAddress, 'invalid_address'))
    .optional()
    .openapi({
      description:
        "Expected signer address (standard, either network): valid means the recovered key's hash160 is this address's. Give publicKey or address, not both.",
      example: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
    }),
};

/** Object-level rule: at most one expected signer. */
export function atMostOneSigner(
  body: { publicKey?: string; address?: string },
  ctx: z.RefinementCtx,
): void {
  if (body.publicKey !== undefined && body.address !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['address'],
      message: 'give publicKey or address, not both',
      params: { code: 'invalid_request' },
    });
  }
}

export function expectedSignerOf(body: { publicKey?: string; address?: string }): ExpectedSigner {
  if (body.publicKey !== undefined) {
    return { kind: 'publicKey', publicKey: validated(parsePublicKey(body.publicKey)) };
  }
  if (body.address !== undefined) {
    return { kind: 'address', address: validated(parseStandardAddress(body.address)) };
  }
  return { kind: 'any' };
}

/** The configured network; paid routes never run without a valid configuration (503 first). */
export function configuredNetwork(env: Env): StacksNetworkName {
  const result = getServiceConfig(env);
  if (!result.ok) throw new Error('unreachable: a paid route ran without a valid configuration');
  return result.config.network;
}

const NetworkSchema = z.enum(['mainnet', 'testnet']);

/** The verdict fields every signature route answers (src/stacks/signatures/signer.ts). */
export const verdictFields = {
  valid: z.boolean().openapi({
    description:
      'With publicKey: the signature recovers that key. With address: the recovered key hashes to that address. With neither: the signature recovers some key.',
  }),
  publicKey: z.string().nullable().openapi({
    description: 'The recovered signer key, compressed hex; null when the signature recovers none.',
    example: '0390a5cac7c33fda49f70bc1b0866fa0ba7a9440d9de647fecb8132ceb76a94dfa',
  }),
  address: z.string().nullable().openapi({
    description: "The recovered key's single-sig address on this service's network.",
    example: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM',
  }),
  network: NetworkSchema.openapi({ description: 'The network `address` is written for.' }),
  addressMatches: z.boolean().optional().openapi({
    description: "Only when address was given: its hash160 is the recovered key's.",
  }),
  addressNetwork: NetworkSchema.optional().openapi({
    description: 'Only when address was given: the network its version names.',
  }),
};

/** The signed bytes: the message's UTF-8, or the bytes its hex spells (checked by the schema). */
function messageBytes(message: string, encoding: 'utf8' | 'hex'): Uint8Array {
  if (encoding === 'utf8') return utf8ToBytes(message);
  const hex = parseHex(message, { allowEmpty: true });
  if (!hex.ok) throw new Error('unreachable: validated hex failed to parse');
  return hex.bytes;
}

const HEX_MESSAGE =
  'message is declared hex (messageEncoding "hex"), so it must be hex bytes: an even number of 0-9a-f digits, 0x optional';

export const VerifyMessageRequestSchema = z
  .object({
    message: z.string().max(MAX_MESSAGE_CHARS).openapi({
      description: 'The signed message: text (UTF-8), or hex bytes with messageEncoding "hex".',
      example: 'Hello World',
    }),
    messageEncoding: z.enum(['utf8', 'hex']).default('utf8').openapi({
      description: 'How to read message: utf8 (default) or hex.',
    }),
    ...signerFields,
    // "Hello World" signed by the SIP-018 example key (publicKey and address examples).
    signature: signerFields.signature.openapi({
      example:
        'f81d52c6189524857b09d5bb144dafafe3ff5d38df246ed83326866dd30439001234d0bd4ebe353b489a6384ae017de7799ca8c9634c8d64ca1f149891e4531f00',
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.messageEncoding === 'hex' && !parseHex(body.message, { allowEmpty: true }).ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['message'],
        message: HEX_MESSAGE,
        params: { code: 'invalid_hex' },
      });
    }
    atMostOneSigner(body, ctx);
  })
  .openapi('VerifyMessageRequest');

export const VerifyMessageResponseSchema = z
  .object({
    ...verdictFields,
    messageHash: z.string().openapi({
      description:
        'sha256("\\x17Stacks Signed Message:\\n" || varint(length) || message), hex: the signed hash.',
      example: '953a54a2525205a2272ec27770ede65f6687a1e20725203f3198674c10b28f73',
    }),
  })
  .openapi('VerifyMessageResponse');

export const verifyMessageRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/stacks/verify/message',
    tags: ['Stacks'],
    summary: 'Verify a Stacks signed message',
    description:
      'Verifies a plain-text Stacks signed message (wallet stx_signMessage): hashes "\\x17Stacks Signed Message:\\n" + varint length + message with SHA-256, recovers the secp256k1 signer from the RSV signature, and compares it with publicKey or address when given.',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: VerifyMessageRequestSchema } },
      },
    },
    responses: {
      200: {
        description: 'The verdict (a signature that does not verify is valid: false)',
        content: { 'application/json': { schema: VerifyMessageResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: (c) => {
    const body = c.req.valid('json');
    const message = messageBytes(body.message, body.messageEncoding);
    const messageHash = hashStacksMessage(message);
    const verdict = judgeSignature(
      messageHash,
      validated(parseRsvSignature(body.signature)),
      expectedSignerOf(body),
      configuredNetwork(c.env),
    );
    return c.json({ ...verdict, messageHash: bytesToHex(messageHash) }, 200);
  },
});
