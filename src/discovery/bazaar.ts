/**
 * The x402 `bazaar` discovery extension of a route (x402 v2 extensions, specs/extensions/bazaar):
 * `info` says how to call the route with example values, `schema` is the JSON Schema that `info`
 * must validate against, and `routeTemplate` (`/storage/kv/:key`) names a route with path
 * parameters. Both come from the route's zod schemas, through the OpenAPI generator, so a
 * catalogue indexes exactly what the route validates.
 */
import { type RouteConfig, z } from '@hono/zod-openapi';
import { exampleOf, validExample } from './examples';
import {
  type JsonObject,
  type OpenApiSource,
  operationOf,
  renderOpenApi,
  withLocalDefs,
} from './openapi-source';
import { bazaarRouteTemplate } from './route-facts';

export interface BazaarExtension {
  info: { input: JsonObject; output?: { type: 'json'; example: unknown } };
  schema: JsonObject;
  routeTemplate?: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonObject;
  example?: unknown;
}

function parametersIn(operation: JsonObject, where: 'path' | 'query'): Parameter[] {
  const all = Array.isArray(operation.parameters) ? (operation.parameters as Parameter[]) : [];
  return all.filter((parameter) => parameter.in === where);
}

/** Example values and the object schema of a set of path or query parameters. */
function parameterMap(
  parameters: Parameter[],
  source: OpenApiSource,
  defs: Record<string, JsonObject>,
): { example: JsonObject; schema: JsonObject } {
  const example: JsonObject = {};
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const schema = parameter.schema ?? {};
    properties[parameter.name] = withLocalDefs(schema, source, defs);
    if (parameter.required) required.push(parameter.name);
    if (parameter.required || 'example' in parameter || 'example' in schema) {
      example[parameter.name] =
        'example' in parameter ? parameter.example : exampleOf(schema, source);
    }
  }
  return {
    example,
    schema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}) },
  };
}

function jsonContentSchema(holder: unknown): unknown {
  const content = (holder as { content?: Record<string, { schema?: unknown }> } | undefined)
    ?.content;
  return content?.['application/json']?.schema;
}

/** The route's success answer: its first 2xx response with a JSON body. */
function successMedia(operation: JsonObject): { schema?: unknown; example?: unknown } | undefined {
  const responses = (operation.responses ?? {}) as Record<string, unknown>;
  const status = Object.keys(responses).find((code) => /^2\d\d$/.test(code));
  if (!status) return undefined;
  const content = (responses[status] as { content?: Record<string, object> }).content;
  return content?.['application/json'];
}

/** The zod schema that validates the route's JSON body, if it has one. */
function bodyValidator(
  route: RouteConfig,
): { safeParse(value: unknown): { success: boolean } } | undefined {
  const media = route.request?.body?.content?.['application/json'];
  const schema = media && 'schema' in media ? media.schema : undefined;
  return schema instanceof z.ZodType ? schema : undefined;
}

function buildBazaarExtension(route: RouteConfig): BazaarExtension {
  const source = renderOpenApi([route], { title: route.path, version: '1' });
  const operation = operationOf(source, route);
  const method = route.method.toUpperCase();
  const defs: Record<string, JsonObject> = {};
  const input: JsonObject = { type: 'http', method };
  const inputProperties: JsonObject = {
    type: { type: 'string', const: 'http' },
    method: { type: 'string', enum: [method] },
  };
  const inputRequired = ['type', 'method'];

  const query = parametersIn(operation, 'query');
  if (query.length > 0) {
    const map = parameterMap(query, source, defs);
    input.queryParams = map.example;
    inputProperties.queryParams = map.schema;
  }
  const path = parametersIn(operation, 'path');
  if (path.length > 0) {
    const map = parameterMap(path, source, defs);
    input.pathParams = map.example;
    inputProperties.pathParams = map.schema;
  }
  if (BODY_METHODS.has(method)) {
    const body = jsonContentSchema(operation.requestBody) ?? { type: 'object' };
    input.bodyType = 'json';
    const validator = bodyValidator(route);
    input.body = validExample(body, source, (value) => validator?.safeParse(value).success ?? true);
    inputProperties.bodyType = { type: 'string', enum: ['json', 'form-data', 'text'] };
    inputProperties.body = withLocalDefs(body, source, defs);
    inputRequired.push('bodyType', 'body');
  }

  const media = successMedia(operation);
  const output = media?.schema;
  const info: BazaarExtension['info'] = { input };
  const properties: JsonObject = {
    input: {
      type: 'object',
      properties: inputProperties,
      required: inputRequired,
      additionalProperties: false,
    },
  };
  if (output !== undefined) {
    // A route may declare its whole answer (e.g. the real digest of its example input).
    const example = media && 'example' in media ? media.example : exampleOf(output, source);
    info.output = { type: 'json', example };
    properties.output = {
      type: 'object',
      properties: {
        type: { type: 'string', const: 'json' },
        example: withLocalDefs(output, source, defs),
      },
      required: ['type'],
    };
  }
  return {
    info,
    schema: {
      $schema: JSON_SCHEMA_2020,
      type: 'object',
      properties,
      required: ['input'],
      ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
    },
    ...(path.length > 0 ? { routeTemplate: bazaarRouteTemplate(route.path) } : {}),
  };
}

/** Built once per route and isolate: the schemas never change while the Worker runs. */
const built = new WeakMap<RouteConfig, BazaarExtension>();

export function bazaarExtension(route: RouteConfig): BazaarExtension {
  let extension = built.get(route);
  if (!extension) {
    extension = buildBazaarExtension(route);
    built.set(route, extension);
  }
  return extension;
}
