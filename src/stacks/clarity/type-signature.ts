/**
 * The type of a decoded Clarity value, as far as the Stacks node needs it to accept the value:
 * list elements must share a common supertype, and no value may nest deeper than 32 levels or
 * exceed 1 MB once typed. These rules are not in SIP-005's byte format but in the reference
 * implementation's deserializer (stacks-core `clarity/src/vm/types/signatures.rs`:
 * `least_supertype`, `depth`, `inner_size`), so a value we accept is one the node accepts.
 */

export class ClarityTypeError extends Error {}

/** stacks-core MAX_TYPE_DEPTH: a type may nest at most 32 levels (a leaf counts as one). */
export const MAX_TYPE_DEPTH = 32;
/** stacks-core MAX_VALUE_SIZE: 1 MiB, the bound on a value's (typed) size. */
export const MAX_VALUE_SIZE = 1_048_576;
/** stacks-core WRAPPER_VALUE_SIZE: what optional and response add to their content's size. */
const WRAPPER_VALUE_SIZE = 1;
/** stacks-core sizes principals as 20 hash bytes + a 128-byte contract name. */
const PRINCIPAL_SIZE = 148;

/** `undefined` is the node's NoType: the unknown side of `none`, `(ok x)` or an empty list. */
export type TypeSignature =
  | undefined
  | { kind: 'int' | 'uint' | 'bool' | 'principal' }
  | { kind: 'buff' | 'ascii' | 'utf8'; length: number }
  | { kind: 'optional'; inner: TypeSignature }
  | { kind: 'response'; ok: TypeSignature; err: TypeSignature }
  | { kind: 'list'; item: TypeSignature; maxLength: number }
  | { kind: 'tuple'; fields: ReadonlyMap<string, TypeSignature> };

export function typeDepth(type: TypeSignature): number {
  if (type === undefined) return 1;
  switch (type.kind) {
    case 'optional':
      return 1 + typeDepth(type.inner);
    case 'response':
      return 1 + Math.max(typeDepth(type.ok), typeDepth(type.err));
    case 'list':
      return 1 + typeDepth(type.item);
    case 'tuple':
      return 1 + Math.max(...Array.from(type.fields.values(), typeDepth));
    default:
      return 1;
  }
}

/** The node's `inner_type_size`: bytes to describe the type itself. */
function typeDescriptionSize(type: TypeSignature): number {
  if (type === undefined) return 1;
  switch (type.kind) {
    case 'buff':
    case 'ascii':
    case 'utf8':
      return 1 + 4;
    case 'optional':
      return typeDescriptionSize(type.inner) + 1;
    case 'response':
      return typeDescriptionSize(type.ok) + typeDescriptionSize(type.err) + 1;
    case 'list':
      return typeDescriptionSize(type.item) + 4 + 1;
    case 'tuple':
      return tupleDescriptionSize(type.fields);
    default:
      return 1;
  }
}

function tupleDescriptionSize(fields: ReadonlyMap<string, TypeSignature>): number {
  let size = fields.size * 2;
  for (const [name, field] of fields) size += typeDescriptionSize(field) + name.length;
  return size;
}

/** The node's `size()`: the largest in-memory size of a value of this type. */
export function typeSize(type: TypeSignature): number {
  if (type === undefined) return 1;
  switch (type.kind) {
    case 'int':
    case 'uint':
      return 16;
    case 'bool':
      return 1;
    case 'principal':
      return PRINCIPAL_SIZE;
    case 'buff':
    case 'ascii':
      return 4 + type.length;
    case 'utf8':
      return 4 + 4 * type.length;
    case 'optional':
      return typeSize(type.inner) + WRAPPER_VALUE_SIZE;
    case 'response':
      return Math.max(typeSize(type.ok), typeSize(type.err)) + WRAPPER_VALUE_SIZE;
    case 'list':
      return typeSize(type.item) * type.maxLength + typeDescriptionSize(type);
    case 'tuple': {
      let size = type.fields.size * 2 + tupleDescriptionSize(type.fields);
      for (const [name, field] of type.fields) size += typeSize(field) + name.length;
      return size;
    }
  }
}

/** Checks what the node's constructors check for every compound value: depth and size. */
export function checkedType<T extends TypeSignature>(type: T): T {
  if (typeDepth(type) > MAX_TYPE_DEPTH) {
    throw new ClarityTypeError(`it nests deeper than Clarity's ${MAX_TYPE_DEPTH}-level limit`);
  }
  if (typeSize(type) > MAX_VALUE_SIZE) {
    throw new ClarityTypeError(`its type is larger than Clarity's ${MAX_VALUE_SIZE}-byte limit`);
  }
  return type;
}

/**
 * The node's `least_supertype` (epoch 2.1 rules): NoType joins anything; sequences join to the
 * longer length; optionals, responses, lists and tuples (same field names) join field by field.
 */
export function leastSupertype(a: TypeSignature, b: TypeSignature): TypeSignature {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const mismatch = () =>
    new ClarityTypeError(`the elements of a list do not share a type (${a.kind} and ${b.kind})`);
  switch (a.kind) {
    case 'buff':
    case 'ascii':
    case 'utf8':
      if (b.kind !== a.kind) throw mismatch();
      return { kind: a.kind, length: Math.max(a.length, b.length) };
    case 'optional':
      if (b.kind !== 'optional') throw mismatch();
      return { kind: 'optional', inner: leastSupertype(a.inner, b.inner) };
    case 'response':
      if (b.kind !== 'response') throw mismatch();
      return {
        kind: 'response',
        ok: leastSupertype(a.ok, b.ok),
        err: leastSupertype(a.err, b.err),
      };
    case 'list':
      if (b.kind !== 'list') throw mismatch();
      return checkedType({
        kind: 'list',
        item: leastSupertype(a.item, b.item),
        maxLength: Math.max(a.maxLength, b.maxLength),
      });
    case 'tuple': {
      if (b.kind !== 'tuple' || b.fields.size !== a.fields.size) throw mismatch();
      const fields = new Map<string, TypeSignature>();
      for (const [name, field] of a.fields) {
        if (!b.fields.has(name)) throw mismatch();
        fields.set(name, leastSupertype(field, b.fields.get(name)));
      }
      return checkedType({ kind: 'tuple', fields });
    }
    default:
      if (b.kind !== a.kind) throw mismatch();
      return a;
  }
}
