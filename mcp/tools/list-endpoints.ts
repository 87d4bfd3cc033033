/** `list_x402_endpoints`: the API's `/x402.json`, filtered by group, tier, method or text. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type PaymentRequirements, tokenTypeOf } from '../../client';
import type { StacksNetworkName } from '../../src/stacks/tokens';
import {
  type DiscoveredRequirement,
  type DiscoveredResource,
  fetchDiscovery,
  filterResources,
} from '../discovery';
import { formatTokenAmount } from '../price-options';
import type { ToolContext } from '../tool-context';
import { jsonResult, thrownResult } from '../tool-result';

export const listInputShape = {
  apiUrl: z.string().optional().describe('API base URL; defaults to the configured X402_API_URL'),
  group: z.string().optional().describe('Only this group, e.g. hashing, storage, inference'),
  tier: z.string().optional().describe('Only this pricing tier, e.g. standard or dynamic'),
  method: z.string().optional().describe('Only this HTTP method'),
  search: z.string().optional().describe('Text to find in the path, group or description'),
  details: z
    .boolean()
    .default(false)
    .describe("Include each endpoint's extensions (input and output schemas)"),
};

/** A price per token; a route priced per request has no amount here (probe it for one). */
function priceOf(requirement: DiscoveredRequirement, network: StacksNetworkName) {
  const token = tokenTypeOf(requirement as PaymentRequirements, network);
  const { amount } = requirement;
  const known = amount !== undefined && /^[0-9]+$/.test(amount);
  return {
    token: token ?? requirement.extra?.tokenType,
    ...(known ? { amount } : {}),
    ...(known && token !== undefined ? { display: formatTokenAmount(BigInt(amount), token) } : {}),
  };
}

function summarize(entry: DiscoveredResource, network: StacksNetworkName, details: boolean) {
  return {
    method: entry.method,
    path: entry.path,
    url: entry.resource,
    group: entry.group,
    tier: entry.tier,
    order: entry.order,
    pricingMode: entry.pricingMode,
    description: entry.description,
    prices: entry.accepts.map((requirement) => priceOf(requirement, network)),
    ...(details ? { extensions: entry.extensions } : {}),
  };
}

export function registerListEndpoints(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list_x402_endpoints',
    {
      title: 'List the paid endpoints of an x402 API',
      description:
        "Reads the API's own catalogue (GET /x402.json) and lists its endpoints with method, path, group, tier, description and prices per token, optionally filtered. Call them with execute_x402_endpoint (path + apiUrl, or url).",
      inputSchema: listInputShape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async ({ apiUrl, details, ...filter }) => {
      try {
        const document = await fetchDiscovery(context.fetch, apiUrl ?? context.config.apiUrl);
        const found = filterResources(document.resources, filter);
        return jsonResult({
          service: document.service,
          network: document.network,
          payTo: document.payTo,
          total: document.resources.length,
          count: found.length,
          endpoints: found.map((entry) => summarize(entry, context.config.network, details)),
        });
      } catch (error) {
        return thrownResult(error);
      }
    },
  );
}
