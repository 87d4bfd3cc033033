/**
 * `GET /llms.txt` and `GET /llms-full.txt` (the llmstxt.org convention): markdown for agents. What
 * the service is, how to pay step by step with curl, how to call it from the MCP tool
 * `execute_x402_endpoint`, and every endpoint with its price and an example; the full version adds
 * each endpoint's schemas and every error code.
 */
import { PAYMENT_ERROR_MESSAGES } from '../payment/errors';
import { assetIdFor, CAIP2_NETWORK, TOKEN_TYPES, TOKENS } from '../stacks/tokens';
import { endpointLine, endpointSection, exampleBody, exampleUrl } from './endpoint-text';
import { discoveryLinks } from './openapi';
import { routeFacts } from './route-facts';
import { type DiscoveryContext, SERVICE_NAME, SERVICE_SUMMARY } from './service';

/** Codes answered outside the payment flow, with what to do about them. */
const REQUEST_ERROR_CODES: Record<string, string> = {
  invalid_request: 'The request does not match the route schema (free 400; `issues` says where).',
  invalid_json: 'The body is not valid JSON (free 400).',
  unsupported_media_type: 'Send the body as application/json (free 415).',
  payload_too_large: 'The body is over 196,608 bytes, or a field over its limit (free 413).',
  not_found: 'No route matches this method and path (free 404); GET / lists every route.',
  unknown_topic: 'No guide by that name (free 404); GET /topics lists them.',
  service_misconfigured: 'Payments are not configured on this server (503, never charged).',
  payment_pending:
    'Paid, not deliverable yet (202): retry the same request with the same payment-signature.',
  payment_identifier_conflict:
    'This payment-identifier was used for a different request (409, never charged).',
  invalid_payment_identifier: 'extensions["payment-identifier"] is malformed (free 400).',
};

function tokensLine(context: DiscoveryContext): string {
  const network = context.config?.network;
  return TOKEN_TYPES.map((token) => {
    const asset = network ? assetIdFor(token, network) : 'STX or its contract';
    return `${token} (\`${asset}\`, ${TOKENS[token].decimals} decimals, amounts in ${TOKENS[token].atomicUnit})`;
  }).join('; ');
}

export function paymentSteps(context: DiscoveryContext): string {
  const paid = context.routes.find(({ pricing }) => pricing.tier === 'standard');
  const url = paid ? exampleUrl(context.origin, paid) : `${context.origin}/`;
  const method = paid ? routeFacts(paid).method : 'GET';
  const body = paid ? JSON.stringify(exampleBody(paid) ?? {}) : '{}';
  const network = context.config ? CAIP2_NETWORK[context.config.network] : 'not configured';
  return `## How to pay (x402 v2 on Stacks, network \`${network}\`)

Tokens: ${tokensLine(context)}.

1. Call the route without payment. A valid request to a paid route answers \`402 Payment Required\`
   (an invalid one is a free 400 before any 402):

   \`\`\`sh
   curl -i -X ${method} '${url}' -H 'content-type: application/json' -d '${body}'
   \`\`\`
2. Decode the \`payment-required\` header (base64 JSON; the body repeats it). \`accepts\` lists one
   entry per token, each with \`amount\` (atomic units), \`asset\`, \`payTo\` and \`network\`. Add the
   header \`x-payment-token-type: sBTC\` (or \`?tokenType=\`) to have that token listed first.

   \`\`\`sh
   curl -si -X ${method} '${url}' -H 'content-type: application/json' -d '${body}' \\
     | grep -i '^payment-required:' | cut -d' ' -f2 | tr -d '\\r' | base64 -d
   \`\`\`
3. Sign a Stacks transaction for one entry: an STX transfer of \`amount\` microSTX to \`payTo\`, or a
   SIP-010 \`transfer(amount, payer, payTo, none)\` call on the \`asset\` contract. Single-signature,
   not sponsored, your next nonce, no post-conditions (or deny mode with exactly the one transfer).
4. Retry the same request with \`payment-signature: base64(JSON)\` of
   \`{"x402Version":2,"accepted":<the entry, verbatim>,"payload":{"transaction":"<signed tx hex>"}}\`.
   Optionally add \`"extensions":{"payment-identifier":{"info":{"id":"<16-128 of A-Za-z0-9_->"}}}\`
   so a retry of the same request never pays twice.
5. The answer carries the result and a \`payment-response\` header (base64 JSON receipt with the
   transaction id and \`checkStatusUrl\`). A \`202\` means paid but not deliverable yet: retry the same
   request with the same \`payment-signature\` (no second charge) or poll \`GET /payment-status/{paymentId}\`.`;
}

function mcpSection(context: DiscoveryContext): string {
  const paid = context.routes.find(({ pricing }) => pricing.tier === 'standard');
  const call = paid
    ? {
        method: routeFacts(paid).method,
        url: exampleUrl(context.origin, paid).split('?')[0],
        ...(exampleBody(paid) !== undefined ? { data: exampleBody(paid) } : {}),
        autoApprove: true,
      }
    : { method: 'GET', url: `${context.origin}/`, autoApprove: false };
  return `## From an MCP client

The MCP tool \`execute_x402_endpoint\` calls any route and pays its 402. Parameters: \`method\`
(GET, POST, PUT, PATCH, DELETE), \`url\` (the absolute URL), \`params\` (query parameters, an object
of strings), \`data\` (the JSON body) and \`autoApprove\` (true pays; false only returns the price).
For example:

\`\`\`json
${JSON.stringify(call, null, 2)}
\`\`\``;
}

function endpointsByGroup(context: DiscoveryContext, render: (index: number) => string): string {
  const groups = new Map<string, number[]>();
  context.routes.forEach((apiRoute, index) => {
    const group = routeFacts(apiRoute).group;
    groups.set(group, [...(groups.get(group) ?? []), index]);
  });
  return [...groups]
    .map(([group, indexes]) => `## Endpoints: ${group}\n\n${indexes.map(render).join('\n\n')}`)
    .join('\n\n');
}

function header(context: DiscoveryContext): string {
  const links = discoveryLinks(context.origin);
  return `# ${SERVICE_NAME}

> ${SERVICE_SUMMARY}

- OpenAPI 3.1: ${links.openapi} (interactive: ${links.docs})
- x402 catalogue: ${links.x402Manifest}; scanners' list: ${links.wellKnownX402}
- Agent card: ${links.agentCard}; guides: ${links.topics}
- Full version with schemas and error codes: ${links.llmsFullTxt}`;
}

export function buildLlmsTxt(context: DiscoveryContext): string {
  const index = endpointsByGroup(context, (i) => {
    const apiRoute = context.routes[i];
    return apiRoute ? endpointSection(context, apiRoute, false) : '';
  });
  return [header(context), paymentSteps(context), mcpSection(context), index, ''].join('\n\n');
}

function errorCodes(): string {
  const rows = [
    ...Object.entries(REQUEST_ERROR_CODES),
    ...Object.entries(PAYMENT_ERROR_MESSAGES).map(([code, text]) => [code, `(402) ${text}`]),
  ];
  return `## Error codes\n\nEvery error body is \`{"code", "message"}\`; a 402's \`code\` says why a payment was refused.\n\n${rows
    .map(([code, text]) => `- \`${code}\`: ${text}`)
    .join('\n')}`;
}

export function buildLlmsFullTxt(context: DiscoveryContext): string {
  const summary = context.routes.map((apiRoute) => endpointLine(context, apiRoute)).join('\n');
  const index = endpointsByGroup(context, (i) => {
    const apiRoute = context.routes[i];
    return apiRoute ? endpointSection(context, apiRoute, true) : '';
  });
  return [
    header(context),
    `## Every endpoint\n\n${summary}`,
    paymentSteps(context),
    mcpSection(context),
    errorCodes(),
    index,
    '',
  ].join('\n\n');
}
