/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of every registered route, rendered from the route
 * declarations, with what x402 scanners and agents read on each paid operation: a `402` response
 * with the PaymentRequired schema, `x-payment-info` (protocols, pricing mode, price), `x-x402`
 * (tier, price per token, network, payTo, order of operations), and the price in words in the
 * description (the one line the /docs UI shows).
 */
import { PAYMENT_REQUIRED_RESPONSE, X402_COMPONENT_SCHEMAS } from './payment-required-schema';
import { type JsonObject, type OpenApiSource, renderOpenApi } from './openapi-source';
import { paymentInfo, priceSentence, x402Block } from './pricing';
import { type DiscoveryContext, SERVICE_NAME, SERVICE_SUMMARY, SERVICE_VERSION } from './service';

/** Every discovery document of this service, on an origin. */
export function discoveryLinks(origin: string) {
  return {
    openapi: `${origin}/openapi.json`,
    docs: `${origin}/docs`,
    llmsTxt: `${origin}/llms.txt`,
    llmsFullTxt: `${origin}/llms-full.txt`,
    x402Manifest: `${origin}/x402.json`,
    wellKnownX402: `${origin}/.well-known/x402`,
    agentCard: `${origin}/.well-known/agent.json`,
    topics: `${origin}/topics`,
  };
}

const GUIDANCE =
  'Call any route without payment first: free routes answer, paid routes answer 402 with a `payment-required` header listing the price in STX, sBTC and USDCx (`accepts`). Sign a Stacks transfer of one entry, retry the same request with `payment-signature: base64(PaymentPayload)`, and read the result and the `payment-response` receipt. Invalid requests are a free 400 before any 402. /llms.txt walks through it with curl.';

function paidOperation(
  operation: JsonObject,
  apiRoute: DiscoveryContext['routes'][number],
  context: DiscoveryContext,
) {
  const { pricing } = apiRoute;
  const responses = { ...(operation.responses as JsonObject), 402: PAYMENT_REQUIRED_RESPONSE };
  const description = [
    operation.description ?? operation.summary,
    priceSentence(pricing, context.config),
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    ...operation,
    description,
    responses,
    ...(context.config
      ? {
          'x-payment-info': paymentInfo(pricing, context.config),
          'x-x402': x402Block(pricing, context.config),
        }
      : {}),
  };
}

export function buildOpenApiDocument(context: DiscoveryContext): OpenApiSource {
  const source = renderOpenApi(
    context.routes.map(({ route }) => route),
    { title: SERVICE_NAME, version: SERVICE_VERSION },
  );
  for (const apiRoute of context.routes) {
    if (apiRoute.pricing.tier === 'free') continue;
    const { path, method } = apiRoute.route;
    const item = source.paths[path];
    const operation = item?.[method];
    if (item && operation) item[method] = paidOperation(operation, apiRoute, context);
  }
  const tags = [...new Set(context.routes.flatMap(({ route }) => route.tags ?? []))];
  return {
    openapi: source.openapi,
    info: {
      title: SERVICE_NAME,
      version: SERVICE_VERSION,
      description: `${SERVICE_SUMMARY}\n\n${GUIDANCE}`,
      'x-guidance': GUIDANCE,
    },
    servers: [{ url: context.origin }],
    tags: tags.map((name) => ({ name })),
    paths: source.paths,
    components: {
      ...source.components,
      schemas: { ...source.components?.schemas, ...X402_COMPONENT_SCHEMAS },
    },
    'x-discovery': discoveryLinks(context.origin),
  };
}
