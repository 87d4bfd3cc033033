/**
 * Example values assembled from a schema's own examples: a route declares examples on its fields
 * (or on a whole object), and a whole request or response example is put together from them.
 * Fields are included when required or when they carry an example; a field with neither gets the
 * plainest value its type allows.
 */
import { derefSchema, type JsonObject, type OpenApiSource } from './openapi-source';

/** Deep enough for every body we declare; a recursive schema stops here. */
const MAX_DEPTH = 8;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The example a schema declares itself (`example`, `examples[0]`, `default`, `const`), if any. */
function declaredExample(schema: JsonObject): { value: unknown } | undefined {
  if ('example' in schema) return { value: schema.example };
  if (Array.isArray(schema.examples) && schema.examples.length > 0)
    return { value: schema.examples[0] };
  if ('const' in schema) return { value: schema.const };
  if ('default' in schema) return { value: schema.default };
  return undefined;
}

function hasDeclaredExample(schema: unknown, source: OpenApiSource): boolean {
  if (!isObject(schema)) return false;
  return (
    declaredExample(schema) !== undefined ||
    declaredExample(derefSchema(schema, source)) !== undefined
  );
}

function firstType(schema: JsonObject): string | undefined {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? type[0];
  return undefined;
}

function objectExample(schema: JsonObject, source: OpenApiSource, depth: number): JsonObject {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const example: JsonObject = {};
  for (const [name, property] of Object.entries(properties)) {
    if (required.has(name) || hasDeclaredExample(property, source)) {
      example[name] = exampleOf(property, source, depth + 1);
    }
  }
  return example;
}

function plainValue(schema: JsonObject, source: OpenApiSource, depth: number): unknown {
  switch (firstType(schema)) {
    case 'object':
      return objectExample(schema, source, depth);
    case 'array':
      return depth >= MAX_DEPTH ? [] : [exampleOf(schema.items, source, depth + 1)];
    case 'string':
      return schema.format === 'date-time' ? '2026-01-01T00:00:00.000Z' : 'string';
    case 'integer':
    case 'number': {
      const minimum = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const maximum = typeof schema.maximum === 'number' ? schema.maximum : minimum;
      return Math.min(Math.max(0, minimum), maximum);
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return isObject(schema.properties) ? objectExample(schema, source, depth) : null;
  }
}

/** An example value of `schema`: its declared example, or one assembled from its parts. */
export function exampleOf(schema: unknown, source: OpenApiSource, depth = 0): unknown {
  if (!isObject(schema)) return null;
  const own = declaredExample(schema);
  if (own) return own.value;
  const resolved = derefSchema(schema, source);
  if (resolved !== schema)
    return depth >= MAX_DEPTH ? null : exampleOf(resolved, source, depth + 1);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const branch = branches.find((b) => !(isObject(b) && b.type === 'null')) ?? branches[0];
      return exampleOf(branch, source, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, source, depth + 1)));
  }
  return plainValue(schema, source, depth);
}

/**
 * The body example of a route, checked against the route's own validator: fields that each carry
 * an example may not all be allowed together (`publicKey` or `address`, not both), so when the
 * full example is refused, the first that passes among the example less one optional field, then
 * the required fields alone, is used.
 */
export function validExample(
  schema: unknown,
  source: OpenApiSource,
  accepts: (value: unknown) => boolean,
): unknown {
  const full = exampleOf(schema, source);
  if (accepts(full) || !isObject(full)) return full;
  const resolved = derefSchema(schema, source);
  const required = new Set(Array.isArray(resolved.required) ? resolved.required : []);
  const optional = Object.keys(full).filter((name) => !required.has(name));
  const candidates = [
    ...optional.map((name) => Object.fromEntries(Object.entries(full).filter(([k]) => k !== name))),
    Object.fromEntries(Object.entries(full).filter(([k]) => required.has(k))),
  ];
  return candidates.find(accepts) ?? full;
}
