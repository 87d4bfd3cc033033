/** `probe_x402_endpoint`: the endpoint's prices (its 402 `accepts`, decoded) without paying. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TOKEN_TYPES, type TokenType } from '../../src/stacks/tokens';
import { buildEndpointRequest, type EndpointInput, endpointInputShape } from '../endpoint-request';
import { describePrices } from '../price-options';
import { probeEndpoint } from '../probe';
import { spendingCaps, type ToolContext } from '../tool-context';
import { errorResult, jsonResult, thrownResult } from '../tool-result';

export const probeInputShape = {
  ...endpointInputShape,
  tokenType: z
    .enum(TOKEN_TYPES as [TokenType, ...TokenType[]])
    .optional()
    .describe('Ask for this token first, as a paying call would'),
};

async function probe(
  context: ToolContext,
  input: EndpointInput & { tokenType?: TokenType },
): Promise<CallToolResult> {
  const request = buildEndpointRequest(input, context.config.apiUrl);
  const endpoint = `${request.method} ${request.url}`;
  const outcome = await probeEndpoint(context.fetch, request, input.tokenType);
  switch (outcome.type) {
    case 'invalid_payment_required':
      return errorResult('invalid_payment_required', `${endpoint} answered 402: ${outcome.reason}`);
    case 'not_paid':
      if (outcome.status >= 400) {
        return errorResult('http_error', `${endpoint} answered ${outcome.status}`, {
          status: outcome.status,
          result: outcome.body,
        });
      }
      return jsonResult({
        endpoint,
        paymentRequired: false,
        status: outcome.status,
        message: `${endpoint} answered ${outcome.status} without asking for payment: it is free`,
      });
    case 'payment_required': {
      const { paymentRequired, ignored } = outcome;
      return jsonResult({
        endpoint,
        paymentRequired: true,
        resource: paymentRequired.resource,
        options: describePrices(paymentRequired, spendingCaps(context)),
        ...(ignored.length > 0 ? { ignored } : {}),
      });
    }
  }
}

export function registerProbeEndpoint(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'probe_x402_endpoint',
    {
      title: 'Price of an x402 endpoint',
      description:
        'Sends the request once without paying and returns the price options of its 402 (token, amount in atomic units and in whole tokens, pay-to address, and whether it is within the caps). Pays nothing. A free endpoint answers without a 402 (note: that request is then executed).',
      inputSchema: probeInputShape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (input) => {
      try {
        return await probe(context, input);
      } catch (error) {
        return thrownResult(error);
      }
    },
  );
}
