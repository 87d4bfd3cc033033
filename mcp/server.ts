/** The MCP server and its four tools, over whichever transport the caller connects. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './tool-context';
import { registerExecuteEndpoint } from './tools/execute-endpoint';
import { registerListEndpoints } from './tools/list-endpoints';
import { registerPaymentStatus } from './tools/payment-status';
import { registerProbeEndpoint } from './tools/probe-endpoint';

export const SERVER_NAME = 'x402-stacks-mcp';
export const SERVER_VERSION = '0.1.0';

export function createMcpServer(context: ToolContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Pay-per-call HTTP APIs paid with x402 on Stacks (STX, sBTC, USDCx). Find endpoints with list_x402_endpoints, check a price with probe_x402_endpoint, call with execute_x402_endpoint (autoApprove: true pays, within the configured caps), follow a payment with get_payment_status.',
    },
  );
  registerListEndpoints(server, context);
  registerProbeEndpoint(server, context);
  registerExecuteEndpoint(server, context);
  registerPaymentStatus(server, context);
  return server;
}
