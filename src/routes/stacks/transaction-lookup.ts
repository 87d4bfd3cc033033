/**
 * `GET /stacks/tx/{txid}`: any transaction as the Stacks API knows it (Hiro
 * `GET /extended/v1/tx/{txid}`): status, block height, sender, nonce, fee and the decoded payload.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { configOf } from '../../config';
import { errorResponses } from '../../schemas/errors';
import { StacksUpstream } from '../../stacks/upstream';
import { defineRoute, STANDARD } from '../registry';
import { unexpectedUpstream, upstreamErrorResponse } from './upstream-errors';

const TxParams = z.object({
  txid: z
    .string()
    .refine((value) => /^(0x)?[0-9a-fA-F]{64}$/.test(value), {
      message: 'a txid is 64 hex digits, 0x optional',
      params: { code: 'invalid_txid' },
    })
    .openapi({ param: { name: 'txid', in: 'path' }, example: `0x${'ab'.repeat(32)}` }),
});

const ClarityArg = z.object({
  name: z.string(),
  type: z.string(),
  repr: z.string(),
  hex: z.string(),
});

const TxSchema = z
  .object({
    txid: z.string(),
    status: z.string().openapi({
      description: 'pending, success, abort_by_response, abort_by_post_condition, dropped_*',
    }),
    type: z.string(),
    blockHeight: z.number().int().nullable(),
    sender: z.string(),
    nonce: z.number().int(),
    fee: z.string(),
    sponsored: z.boolean(),
    result: z.object({ hex: z.string(), repr: z.string() }).nullable(),
    payload: z.union([
      z.object({
        type: z.literal('token_transfer'),
        recipient: z.string(),
        amount: z.string(),
        memo: z.string(),
      }),
      z.object({
        type: z.literal('contract_call'),
        contractId: z.string(),
        function: z.string(),
        args: z.array(ClarityArg),
      }),
      z.object({ type: z.literal('smart_contract'), contractId: z.string() }),
      z.object({ type: z.string() }),
    ]),
  })
  .openapi('StacksTransactionStatus');

interface HiroTx {
  tx_id?: string;
  tx_status?: string;
  tx_type?: string;
  block_height?: number;
  sender_address?: string;
  nonce?: number;
  fee_rate?: string;
  sponsored?: boolean;
  tx_result?: { hex?: string; repr?: string };
  token_transfer?: { recipient_address?: string; amount?: string; memo?: string };
  contract_call?: {
    contract_id?: string;
    function_name?: string;
    function_args?: z.infer<typeof ClarityArg>[];
  };
  smart_contract?: { contract_id?: string };
}

function payloadOf(tx: HiroTx): z.infer<typeof TxSchema>['payload'] {
  switch (tx.tx_type) {
    case 'token_transfer':
      return {
        type: 'token_transfer',
        recipient: tx.token_transfer?.recipient_address ?? '',
        amount: tx.token_transfer?.amount ?? '0',
        memo: tx.token_transfer?.memo ?? '0x',
      };
    case 'contract_call':
      return {
        type: 'contract_call',
        contractId: tx.contract_call?.contract_id ?? '',
        function: tx.contract_call?.function_name ?? '',
        args: (tx.contract_call?.function_args ?? []).map(({ name, type, repr, hex }) => ({
          name,
          type,
          repr,
          hex,
        })),
      };
    case 'smart_contract':
      return { type: 'smart_contract', contractId: tx.smart_contract?.contract_id ?? '' };
    default:
      return { type: tx.tx_type ?? 'unknown' };
  }
}

export const transactionLookupRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/stacks/tx/{txid}',
    tags: ['Stacks'],
    summary: 'Transaction status',
    description:
      'Status, block height, sender, nonce, fee and decoded payload of any transaction, from the Stacks API.',
    request: { params: TxParams },
    responses: {
      200: {
        description: 'The transaction',
        content: { 'application/json': { schema: TxSchema } },
      },
      ...errorResponses,
      404: { description: 'Unknown transaction', content: errorResponses[400].content },
      502: { description: 'The Stacks API failed', content: errorResponses[400].content },
      504: { description: 'The Stacks API timed out', content: errorResponses[400].content },
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const txid = c.req.valid('param').txid.replace(/^0x/i, '').toLowerCase();
    const config = configOf(c.env);
    const api = new StacksUpstream({
      baseUrl: config.stacksApiUrl,
      timeoutMs: config.stacksApiTimeoutMs,
    });
    const result = await api.get(`/extended/v1/tx/0x${txid}`);
    if (result.type === 'error') return upstreamErrorResponse(c, result);
    if (result.status === 404) {
      return c.json(
        {
          code: 'transaction_not_found',
          message: `The Stacks API knows no transaction 0x${txid} (nothing was charged).`,
        },
        404,
      );
    }
    const tx = result.body as HiroTx | null;
    if (
      result.status !== 200 ||
      !tx ||
      typeof tx.tx_status !== 'string' ||
      typeof tx.sender_address !== 'string'
    ) {
      return unexpectedUpstream(c, 'transaction', result.status);
    }
    return c.json(
      {
        txid: `0x${txid}`,
        status: tx.tx_status,
        type: tx.tx_type ?? 'unknown',
        blockHeight: typeof tx.block_height === 'number' ? tx.block_height : null,
        sender: tx.sender_address,
        nonce: tx.nonce ?? 0,
        fee: tx.fee_rate ?? '0',
        sponsored: tx.sponsored === true,
        result:
          tx.tx_result?.hex && tx.tx_result.repr
            ? { hex: tx.tx_result.hex, repr: tx.tx_result.repr }
            : null,
        payload: payloadOf(tx),
      },
      200,
    );
  },
});
