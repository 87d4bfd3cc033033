/**
 * The OpenAPI 3.1 rendering of route declarations, by @hono/zod-openapi's own generator: the same
 * zod schemas that validate requests give the documented schemas, descriptions and examples.
 * Discovery documents and the 402's bazaar extension read their schemas from here.
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';

/** A JSON Schema or OpenAPI object, as the generator emits it. */
export type JsonObject = Record<string, unknown>;

export interface OpenApiSource {
  openapi: string;
  info: JsonObject;
  paths: Record<string, Record<string, JsonObject>>;
  components?: { schemas?: Record<string, JsonObject>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Renders route declarations alone (no handler runs): an app that only registers them. */
export function renderOpenApi(
  routes: readonly RouteConfig[],
  info: { title: string; version: string; description?: string },
): OpenApiSource {
  const registry = new OpenAPIHono();
  for (const route of routes) registry.openapi(route, () => new Response(null, { status: 501 }));
  return registry.getOpenAPI31Document({ openapi: '3.1.0', info }) as unknown as OpenApiSource;
}

export function operationOf(source: OpenApiSource, route: RouteConfig): JsonObject {
  const operation = source.paths[route.path]?.[route.method];
  if (!operation) throw new Error(`no OpenAPI operation for ${route.method} ${route.path}`);
  return operation;
}

const COMPONENT_REF = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a `$ref` to a component schema (one level), or returns the schema itself. */
export function derefSchema(schema: unknown, source: OpenApiSource): JsonObject {
  if (!isObject(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith(COMPONENT_REF)) {
    return source.components?.schemas?.[ref.slice(COMPONENT_REF.length)] ?? {};
  }
  return schema;
}

/**
 * Rewrites component references to `#/$defs/...` and copies every component the schema reaches
 * (recursive ones included) into `defs`, which the caller puts at the root of the document it
 * builds: the bazaar validator refuses any reference that leaves that document.
 */
export function withLocalDefs(
  schema: unknown,
  source: OpenApiSource,
  defs: Record<string, JsonObject>,
): JsonObject {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
        const name = value.slice(COMPONENT_REF.length);
        out.$ref = `#/$defs/${name}`;
        if (!(name in defs)) {
          defs[name] = {}; // claimed before the descent, so a recursive schema ends
          defs[name] = rewrite(source.components?.schemas?.[name] ?? {}) as JsonObject;
        }
      } else {
        out[key] = rewrite(value);
      }
    }
    return out;
  };
  return isObject(schema) ? (rewrite(schema) as JsonObject) : {};
}
