import { createRoute, z } from '@hono/zod-openapi';
import { toUsageView, type UsageRow, usageQuery } from '../../inference/usage';
import { checkStatusUrl } from '../../payment/http-responses';
import { getPayment, historyStatement, type LedgerEvent } from '../../payment/ledger';
import { PAYMENT_STATUSES } from '../../payment/lifecycle';
import { ErrorSchema } from '../../schemas/errors';
import { type ApiRoute, defineRoute, FREE } from '../registry';

const iso = (ms: number) => new Date(ms).toISOString();

const PaymentStatusSchema = z
  .object({
    paymentId: z.string().openapi({ example: 'pay_4742ec4bbedf913f58a5b3ee3736cb91' }),
    status: z.enum(PAYMENT_STATUSES),
    terminalReason: z.string().optional(),
    txid: z.string(),
    payer: z.string(),
    route: z.string(),
    asset: z.string(),
    amount: z.string(),
    network: z.string(),
    delivery: z.enum(['mempool', 'confirmed']),
    delivered: z.boolean(),
    owedAmount: z
      .string()
      .optional()
      .openapi({ description: 'Charged, but the work failed: owed to the payer.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    confirmedAt: z.string().optional(),
    blockHeight: z.number().int().optional(),
    usage: z
      .object({
        provider: z.string(),
        model: z.string(),
        streamed: z.boolean(),
        maxTokens: z.number().int(),
        estimatedPromptTokens: z.number().int(),
        promptTokens: z.number().int().nullable(),
        completionTokens: z.number().int().nullable(),
        quotedUsd: z.string().nullable(),
        actualUsd: z.string().nullable(),
        token: z.string(),
        actualAmount: z.string().nullable(),
        outcome: z.string(),
        detail: z.string().optional(),
        generationId: z.string().optional(),
        recordedAt: z.string(),
      })
      .optional()
      .openapi({
        description:
          'Inference calls: what was priced (`maxTokens`, `estimatedPromptTokens`, `quotedUsd`) and what the upstream reported (tokens, `actualUsd`, and `actualAmount` in the paid token’s atomic units, rounded up); `outcome` completed, failed (owed) or cancelled.',
      }),
    checkStatusUrl: z.string(),
    history: z.array(
      z.object({ status: z.enum(PAYMENT_STATUSES), at: z.string(), reason: z.string().optional() }),
    ),
  })
  .openapi('PaymentStatus');

/** `GET /payment-status/{paymentId}`: where a payment is in its lifecycle, with its history. */
export const paymentStatusRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/payment-status/{paymentId}',
    tags: ['Payments'],
    summary: 'Payment status',
    description:
      'The canonical status of a payment (queued, broadcasting, mempool, confirmed, failed, replaced, not_found), its transaction and every transition. Free.',
    request: {
      params: z.object({
        paymentId: z
          .string()
          .regex(/^pay_[0-9a-f]{32}$/, 'a payment id is pay_ followed by 32 lower-case hex digits')
          .openapi({
            param: { name: 'paymentId', in: 'path' },
            example: 'pay_4742ec4bbedf913f58a5b3ee3736cb91',
          }),
      }),
    },
    responses: {
      200: {
        description: 'The payment',
        content: { 'application/json': { schema: PaymentStatusSchema } },
      },
      400: {
        description: 'Not a payment id',
        content: { 'application/json': { schema: ErrorSchema } },
      },
      404: {
        description: 'Unknown payment',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    },
  }),
  pricing: FREE,
  handler: async (c) => {
    const { paymentId } = c.req.valid('param');
    const row = await getPayment(c.env.DB, paymentId);
    if (!row) {
      return c.json(
        {
          code: 'payment_not_found',
          message: `No payment ${paymentId} is known here; check the id from x-payment-id.`,
        },
        404,
      );
    }
    // The history and an inference call's usage, in one round trip.
    const [events, usageRows] = await c.env.DB.batch([
      historyStatement(c.env.DB, paymentId),
      usageQuery(c.env.DB, paymentId),
    ]);
    const history = (events?.results ?? []) as LedgerEvent[];
    const usage = usageRows?.results[0] as UsageRow | undefined;
    return c.json(
      {
        paymentId,
        status: row.status,
        ...(row.terminal_reason ? { terminalReason: row.terminal_reason } : {}),
        txid: `0x${row.txid}`,
        payer: row.payer,
        route: row.route,
        asset: row.asset,
        amount: row.amount,
        network: row.network,
        delivery: row.delivery as 'mempool' | 'confirmed',
        delivered: row.delivered_at !== null,
        ...(row.owed_amount ? { owedAmount: row.owed_amount } : {}),
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        ...(row.confirmed_at ? { confirmedAt: iso(row.confirmed_at) } : {}),
        ...(row.block_height !== null ? { blockHeight: row.block_height } : {}),
        ...(usage ? { usage: toUsageView(usage) } : {}),
        checkStatusUrl: checkStatusUrl(c.req.url, paymentId),
        history: history.map((event) => ({
          status: event.status,
          at: iso(event.at),
          ...(event.reason ? { reason: event.reason } : {}),
        })),
      },
      200,
    );
  },
});
