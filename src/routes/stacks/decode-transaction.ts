/**
 * `POST /stacks/decode/transaction`: a serialized Stacks transaction (SIP-005), decoded field by
 * field, with its txid and whether its origin signature verifies. The body schema decodes the
 * transaction, so malformed hex, an oversized or undecodable transaction (trailing bytes
 * included) is a free 400 (`invalid_hex`, `transaction_too_large`, `invalid_transaction`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { hexByteLength, parseHex } from '../../encoding/hex';
import { errorResponses } from '../../schemas/errors';
import { CLARITY_TYPE_NAMES } from '../../stacks/clarity/format';
import {
  type DecodedTransaction,
  decodeTransaction,
  TransactionDecodeError,
} from '../../stacks/transaction-format';
import { type ApiRoute, defineRoute, STANDARD } from '../registry';

/**
 * Largest transaction accepted, in bytes. Its hex must fit the app's 192 KiB body limit, which
 * caps this near 96 KiB (the node allows larger contract deploys).
 */
export const MAX_TRANSACTION_BYTES = 92_160;

/** Devnet wallet_1 pays wallet_8 1000 µSTX with memo "hello" (nonce 0, fee 500), testnet. */
const EXAMPLE_TRANSACTION_HEX =
  '0x808000000004007321b74e2b6a7e949e6c4ad313035b1665095017000000000000000000000000000001f40001751387d9691d9f0bd06c986be71a3c53f9fcc3db37847dea4c1836cc08320737635706e681c3801bcb1144f555d625a2c1becc7109de88e91e63c36d58bab28603020000000000051aeabc65f3e890fb8bf20d153e95119c72d85765a900000000000003e868656c6c6f0000000000000000000000000000000000000000000000000000000000';

const EXAMPLE_DECODED = {
  txid: '0xebc63dfea4f3519681bb8896e8c87c66ee48a99b6724d4a7a935736e3c896254',
  network: 'testnet',
  chainId: 2147483648,
  byteLength: 180,
  authType: 'standard',
  sender: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
  hashMode: 'p2pkh',
  signer: '0x7321b74e2b6a7e949e6c4ad313035b1665095017',
  nonce: '0',
  fee: '500',
  anchorMode: 'any',
  postConditionMode: 'deny',
  postConditions: [],
  payload: {
    type: 'token_transfer',
    recipient: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
    amount: '1000',
    memo: 'hello',
    memoHex: '0x68656c6c6f0000000000000000000000000000000000000000000000000000000000',
  },
  signatureValid: true,
} as const;

type Decoding =
  | { ok: true; transaction: DecodedTransaction }
  | { ok: false; code: string; message: string };

function decodeTransactionHex(hex: string): Decoding {
  const length = hexByteLength(hex);
  if (length > MAX_TRANSACTION_BYTES) {
    return {
      ok: false,
      code: 'transaction_too_large',
      message: `the transaction is ${length} bytes; the limit is ${MAX_TRANSACTION_BYTES}`,
    };
  }
  const parsed = parseHex(hex);
  if (!parsed.ok) return { ok: false, code: 'invalid_hex', message: parsed.reason };
  try {
    return { ok: true, transaction: decodeTransaction(parsed.bytes) };
  } catch (error) {
    if (!(error instanceof TransactionDecodeError)) throw error;
    return {
      ok: false,
      code: 'invalid_transaction',
      message: `not a Stacks transaction (SIP-005): ${error.message}`,
    };
  }
}

const DecodeTransactionRequestSchema = z
  .object({
    hex: z
      .string()
      .superRefine((hex, ctx) => {
        const decoded = decodeTransactionHex(hex);
        if (!decoded.ok) {
          ctx.addIssue({
            code: 'custom',
            message: decoded.message,
            params: { code: decoded.code },
          });
        }
      })
      .openapi({
        description: `A serialized Stacks transaction in hex, 0x optional, at most ${MAX_TRANSACTION_BYTES} bytes.`,
        example: EXAMPLE_TRANSACTION_HEX,
      }),
  })
  .strict()
  .openapi('DecodeTransactionRequest');

const amount = z.string().openapi({ description: 'A decimal integer (µSTX or token units).' });
const hashMode = z.enum([
  'p2pkh',
  'p2sh',
  'p2wpkh',
  'p2wsh',
  'p2sh-non-sequential',
  'p2wsh-non-sequential',
]);

const PostConditionSchema = z.object({
  type: z.enum(['stx', 'fungible', 'non-fungible', 'staking', 'pox']),
  principal: z
    .string()
    .openapi({ description: 'Whose assets; an origin principal is shown as the sender.' }),
  condition: z.string().openapi({
    description:
      'eq, gt, gte, lt, lte (amounts); sent, not-sent, maybe-sent (NFTs); will-perform, may-perform, will-not-perform (PoX).',
  }),
  amount: amount.optional(),
  asset: z.string().optional().openapi({ description: 'address.contract::asset-name' }),
  assetId: z.string().optional().openapi({ description: 'The NFT id as a Clarity literal.' }),
});

const PayloadSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('token_transfer'),
      recipient: z.string(),
      amount,
      memo: z
        .string()
        .openapi({ description: 'The memo as UTF-8 text, without its zero padding.' }),
      memoHex: z.string().openapi({ description: 'The 34 memo bytes, 0x hex.' }),
    }),
    z.object({
      type: z.literal('contract_call'),
      contractId: z.string(),
      contractAddress: z.string(),
      contractName: z.string(),
      functionName: z.string(),
      args: z.array(z.object({ type: z.enum(CLARITY_TYPE_NAMES), repr: z.string() })),
    }),
    z.object({
      type: z.literal('smart_contract'),
      contractId: z.string(),
      contractName: z.string(),
      clarityVersion: z.number().int().nullable(),
      codeLength: z.number().int().openapi({ description: 'Bytes of Clarity source.' }),
    }),
    z.object({
      type: z.literal('coinbase'),
      coinbaseHex: z.string(),
      recipient: z.string().optional(),
      vrfProof: z.string().optional(),
    }),
    z.object({
      type: z.literal('tenure_change'),
      tenureConsensusHash: z.string(),
      previousTenureConsensusHash: z.string(),
      burnViewConsensusHash: z.string(),
      previousTenureEnd: z.string(),
      previousTenureBlocks: z.number().int(),
      cause: z.string(),
      pubkeyHash: z.string(),
    }),
    z.object({ type: z.literal('poison_microblock') }),
  ])
  .openapi({ description: 'What the transaction does, by payload type.' });

const SponsorSchema = z.object({
  address: z.string(),
  hashMode,
  signer: z.string(),
  nonce: amount,
  fee: amount,
});

export const DecodeTransactionResponseSchema = z
  .object({
    txid: z.string().openapi({
      description: '0x + the SHA-512/256 of the transaction, as the node computes it.',
    }),
    network: z
      .enum(['mainnet', 'testnet'])
      .openapi({ description: 'From the version byte: 0x00 mainnet, 0x80 testnet.' }),
    chainId: z.number().int(),
    byteLength: z.number().int(),
    authType: z.enum(['standard', 'sponsored']),
    sender: z
      .string()
      .openapi({ description: 'The origin address: SP/ST for single-sig P2PKH, SM/SN otherwise.' }),
    hashMode,
    signer: z.string().openapi({ description: 'The origin public key hash (hash160), 0x hex.' }),
    nonce: amount,
    fee: amount.openapi({
      description: "The origin's fee field (a sponsored transaction's fee is the sponsor's).",
    }),
    sponsor: SponsorSchema.optional(),
    anchorMode: z.enum(['on_chain_only', 'off_chain_only', 'any']),
    postConditionMode: z.enum(['allow', 'deny', 'originator']),
    postConditions: z.array(PostConditionSchema),
    payload: PayloadSchema,
    signatureValid: z
      .boolean()
      .openapi({ description: 'Whether the origin signature(s) verify, low-S.' }),
    signatureProblem: z.string().optional().openapi({ description: 'Why not, when they do not.' }),
  })
  .openapi('DecodedTransaction', { example: EXAMPLE_DECODED });

export const decodeTransactionRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/stacks/decode/transaction',
    tags: ['Stacks'],
    summary: 'Decode a Stacks transaction',
    description:
      'Decodes a serialized Stacks transaction (SIP-005) as a node would: txid, network and chain id, origin (and sponsor) address, nonce and fee, post-conditions, the payload (token transfer with memo, contract call with each argument as a Clarity literal, contract deploy, coinbase, tenure change) and whether the origin signature verifies. Malformed hex (invalid_hex), more than 90 KiB (transaction_too_large) or bytes that are not exactly one transaction (invalid_transaction) are a free 400.',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: DecodeTransactionRequestSchema } },
      },
    },
    responses: {
      200: {
        description: 'The decoded transaction',
        content: { 'application/json': { schema: DecodeTransactionResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: (c) => {
    const decoded = decodeTransactionHex(c.req.valid('json').hex);
    // The body schema ran this same decode; reaching here with bad bytes is a bug.
    if (!decoded.ok) throw new Error(`unvalidated transaction: ${decoded.message}`);
    return c.json(decoded.transaction, 200);
  },
});
