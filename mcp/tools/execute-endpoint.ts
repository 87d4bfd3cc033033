/**
 * `execute_x402_endpoint`: the aibtc MCP tool's input (`method`, `url` or `path` + `apiUrl`,
 * `params`, `data`, `autoApprove`), plus `tokenType` and `paymentIdentifier`. Without
 * `autoApprove` it only quotes; with it, it pays within the caps, follows a 202 to the answer, and
 * returns the answer with its receipt.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TOKEN_TYPES, type TokenType } from '../../src/stacks/tokens';
import { buildEndpointRequest, type EndpointInput, endpointInputShape } from '../endpoint-request';
import { paidCallResult } from '../paid-call-result';
import { describePrices } from '../price-options';
import { probeEndpoint } from '../probe';
import { type ProgressReporter, progressReporter } from '../progress';
import { spendingCaps, type ToolContext } from '../tool-context';
import { errorResult, jsonResult, thrownResult } from '../tool-result';

export const executeInputShape = {
  ...endpointInputShape,
  autoApprove: z
    .boolean()
    .default(false)
    .describe(
      'Pay the price (within the configured caps). Without it, nothing is paid: the call returns the price options.',
    ),
  tokenType: z
    .enum(TOKEN_TYPES as [TokenType, ...TokenType[]])
    .optional()
    .describe('Token to pay with: STX, sBTC or USDCx (default: the first the endpoint lists)'),
  paymentIdentifier: z
    .string()
    .optional()
    .describe(
      'Reuse the paymentIdentifier of an earlier call (from its receipt) to collect its result without paying twice',
    ),
};

interface ExecuteInput extends EndpointInput {
  autoApprove: boolean;
  tokenType?: TokenType;
  paymentIdentifier?: string;
}

async function quote(context: ToolContext, input: ExecuteInput): Promise<CallToolResult> {
  const request = buildEndpointRequest(input, context.config.apiUrl);
  const endpoint = `${request.method} ${request.url}`;
  const outcome = await probeEndpoint(context.fetch, request, input.tokenType);
  if (outcome.type === 'invalid_payment_required') {
    return errorResult('invalid_payment_required', `${endpoint} answered 402: ${outcome.reason}`);
  }
  if (outcome.type === 'not_paid') {
    const { status, body } = outcome;
    if (status >= 400) {
      return errorResult('http_error', `${endpoint} answered ${status}`, { status, result: body });
    }
    return jsonResult({ endpoint, status, result: body, paid: false });
  }
  const { paymentRequired } = outcome;
  return jsonResult({
    endpoint,
    status: 402,
    paid: false,
    message:
      'Nothing was paid. To pay, call execute_x402_endpoint again with callWith (autoApprove: true).',
    description: paymentRequired.resource.description,
    options: describePrices(paymentRequired, spendingCaps(context)),
    callWith: { ...input, autoApprove: true },
  });
}

async function pay(
  context: ToolContext,
  input: ExecuteInput,
  progress: ProgressReporter,
): Promise<CallToolResult> {
  const request = buildEndpointRequest(input, context.config.apiUrl);
  const result = await context.client.fetch(request.url, request.init, {
    preferredToken: input.tokenType,
    paymentIdentifier: input.paymentIdentifier,
    onPaymentStatus: (report) => progress(`payment ${report.paymentId} is ${report.status}`),
  });
  return paidCallResult(`${request.method} ${request.url}`, result, spendingCaps(context));
}

export function registerExecuteEndpoint(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'execute_x402_endpoint',
    {
      title: 'Call an x402 endpoint, paying on Stacks',
      description:
        'Calls an x402 API endpoint. Without autoApprove it only quotes (returns the price options, pays nothing). With autoApprove: true it pays in STX, sBTC or USDCx within the configured caps, waits for the answer when the server says 202 (paid, not delivered yet), and returns the answer with the receipt (payment id, txid, amount, token). Use list_x402_endpoints to find endpoints.',
      inputSchema: executeInputShape,
      annotations: { destructiveHint: false, openWorldHint: true },
    },
    async (input, extra) => {
      try {
        return input.autoApprove
          ? await pay(context, input, progressReporter(extra))
          : await quote(context, input);
      } catch (error) {
        return thrownResult(error);
      }
    },
  );
}
