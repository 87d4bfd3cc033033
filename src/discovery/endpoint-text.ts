/**
 * One endpoint in markdown, for llms.txt, llms-full.txt and the topic guides: its price, an
 * example call (from the same examples as its bazaar extension) and, in full, its schemas.
 */
import type { ApiRoute } from '../routes/registry';
import { bazaarExtension } from './bazaar';
import type { JsonObject } from './openapi-source';
import { priceSentence } from './pricing';
import { routeFacts } from './route-facts';
import type { DiscoveryContext } from './service';

/** The example URL: path parameters filled with their examples (already URL-safe), then the query. */
export function exampleUrl(origin: string, apiRoute: ApiRoute): string {
  const { input } = bazaarExtension(apiRoute.route).info;
  const pathParams = (input.pathParams ?? {}) as JsonObject;
  const path = apiRoute.route.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    String(pathParams[name] ?? name),
  );
  const query = new URLSearchParams(
    Object.entries((input.queryParams ?? {}) as JsonObject).map(([k, v]) => [k, String(v)]),
  ).toString();
  return `${origin}${path}${query ? `?${query}` : ''}`;
}

export function exampleBody(apiRoute: ApiRoute): unknown {
  return bazaarExtension(apiRoute.route).info.input.body;
}

/** `curl` of the first, unpaid call: a free route answers, a paid one answers 402. */
export function exampleCurl(origin: string, apiRoute: ApiRoute): string {
  const method = apiRoute.route.method.toUpperCase();
  const body = exampleBody(apiRoute);
  const parts = [
    `curl -i${method === 'GET' ? '' : ` -X ${method}`} '${exampleUrl(origin, apiRoute)}'`,
  ];
  if (body !== undefined) {
    parts.push(
      `-H 'content-type: application/json' -d '${JSON.stringify(body).replaceAll("'", "'\\''")}'`,
    );
  }
  return parts.join(' \\\n  ');
}

const fence = (language: string, text: string) => `\`\`\`${language}\n${text}\n\`\`\``;

/** A one-line entry: method, path, summary and price. */
export function endpointLine(context: DiscoveryContext, apiRoute: ApiRoute): string {
  const facts = routeFacts(apiRoute);
  return `- \`${facts.method} ${facts.path}\`: ${facts.summary}. ${priceSentence(apiRoute.pricing, context.config)}`;
}

/** A section: heading, description, price, example call and answer; `full` adds schemas. */
export function endpointSection(
  context: DiscoveryContext,
  apiRoute: ApiRoute,
  full: boolean,
): string {
  const facts = routeFacts(apiRoute);
  const bazaar = bazaarExtension(apiRoute.route);
  const lines = [
    `### ${facts.method} ${facts.path}`,
    '',
    `${facts.summary}. ${facts.description === facts.summary ? '' : facts.description}`.trim(),
    '',
    `${priceSentence(apiRoute.pricing, context.config)}${facts.paid ? ` Settlement order: ${facts.order}.` : ''}`,
    '',
    'Example:',
    '',
    fence('sh', exampleCurl(context.origin, apiRoute)),
  ];
  if (bazaar.info.output) {
    lines.push(
      '',
      'Answer (200):',
      '',
      fence('json', JSON.stringify(bazaar.info.output.example, null, 2)),
    );
  }
  if (full) {
    const input = (bazaar.schema.properties as JsonObject).input as JsonObject;
    const inputSchemas = input.properties as JsonObject;
    const output = (bazaar.schema.properties as JsonObject).output as JsonObject | undefined;
    const schemas: JsonObject = {};
    for (const key of ['pathParams', 'queryParams', 'body'] as const) {
      if (key in inputSchemas) schemas[key] = inputSchemas[key];
    }
    if (output) schemas.answer = (output.properties as JsonObject).example;
    if (bazaar.schema.$defs) schemas.$defs = bazaar.schema.$defs;
    lines.push(
      '',
      'Schemas (JSON Schema 2020-12):',
      '',
      fence('json', JSON.stringify(schemas, null, 2)),
    );
  }
  return lines.join('\n');
}
