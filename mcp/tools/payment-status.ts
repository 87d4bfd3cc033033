/** `get_payment_status`: `GET /payment-status/{paymentId}` (free). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fetchPaymentStatus, paymentStatusUrl } from '../../client';
import type { ToolContext } from '../tool-context';
import { jsonResult, thrownResult } from '../tool-result';

export const paymentStatusInputShape = {
  paymentId: z.string().describe('The payment id (pay_..., from a receipt) or its checkStatusUrl'),
  apiUrl: z.string().optional().describe('API base URL; defaults to the configured X402_API_URL'),
};

export function registerPaymentStatus(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'get_payment_status',
    {
      title: 'Status of a payment',
      description:
        'Reads GET /payment-status/{paymentId}: the payment status (broadcasting, mempool, confirmed, failed, replaced, not_found), its txid, amount, payer, whether the result was delivered, and its history. Free.',
      inputSchema: paymentStatusInputShape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async ({ paymentId, apiUrl }) => {
      try {
        const url = paymentStatusUrl(paymentId, apiUrl ?? context.config.apiUrl);
        return jsonResult(await fetchPaymentStatus(context.fetch, url));
      } catch (error) {
        return thrownResult(error);
      }
    },
  );
}
