/**
 * The JSON form of a Clarity value, one form both ways: `clarityJson` writes it (every route that
 * answers a value: /stacks/decode/clarity, decoded transactions, read-only results) and
 * `parseClarityJson` reads it (the SIP-018 `message`), so a decoded value can be sent back as is.
 *
 * `{type, value}` at every level, lossless, type names those of @stacks/transactions v7
 * `ClarityType`:
 *
 *   {"type": "int", "value": "-5"}             {"type": "uint", "value": "1000"}   (decimal strings)
 *   {"type": "buffer", "value": "0x00ff"}      {"type": "true", "value": true}
 *   {"type": "false", "value": false}          {"type": "none", "value": null}
 *   {"type": "ascii", "value": "Hello"}        {"type": "utf8", "value": "héllo"}
 *   {"type": "address", "value": "SP…"}        {"type": "contract", "value": "SP….name"}
 *   {"type": "some" | "ok" | "err", "value": <value>}
 *   {"type": "list", "value": [<value>, …]}
 *   {"type": "tuple", "value": {"field": <value>, …}}   (written in byte order of names)
 *
 * Read, it also takes what the stacks.js v7 `ClarityValue` shape (what `Cl.*` builds) spells
 * differently: `value` left out of `true`, `false` and `none`; buffer hex without `0x`; an int or
 * uint as a JSON integer up to 2^53 - 1. Nothing else: no other key, no `cvToJSON` form (it spells
 * types as signatures, "(tuple (a uint))", which is lossy for empty lists).
 *
 * A value read is one the node would accept: strings, names and principals are checked here with
 * the decoder's rules (deserialize.ts, principal.ts), where a JSON path can say which field is
 * wrong, and the whole value is then put through the strict decoder for what only its type can
 * tell (mixed-type lists, typed depth, the 1 MiB size).
 */
import { Cl, ClarityType, type ClarityValue } from '@stacks/transactions';
import { parseHex } from '../../encoding/hex';
import {
  CLARITY_NAME,
  ClarityDecodeError,
  decodeClarityValue,
  MAX_NAME_LENGTH,
  NOT_CLARITY_ASCII,
  tupleFields,
} from './deserialize';
import { parsePrincipalValue } from './principal';
import { serializeClarityValue } from './serialize';
import { MAX_TYPE_DEPTH } from './type-signature';

export type ClarityJson =
  | { type: 'int' | 'uint' | 'buffer' | 'address' | 'contract' | 'ascii' | 'utf8'; value: string }
  | { type: 'true' | 'false'; value: boolean }
  | { type: 'none'; value: null }
  | { type: 'some' | 'ok' | 'err'; value: ClarityJson }
  | { type: 'list'; value: ClarityJson[] }
  | { type: 'tuple'; value: Record<string, ClarityJson> };

/** The form in a sentence, for the API documentation of every field that holds it. */
export const CLARITY_JSON_DESCRIPTION =
  '{type, value} at every level: int/uint a decimal string, buffer 0x hex, true/false a boolean, none null, address/contract/ascii/utf8 a string, some/ok/err a nested {type, value}, list an array of them, tuple an object of them keyed by field name.';

/** What reading also accepts (the stacks.js v7 shape), for the documentation of input fields. */
export const CLARITY_JSON_INPUT_DESCRIPTION =
  'Also accepted on input: no value on true, false and none ({"type":"true"}), buffer hex without 0x, and int/uint as a JSON integer up to 2^53 - 1.';

export function clarityJson(value: ClarityValue): ClarityJson {
  switch (value.type) {
    case ClarityType.Int:
    case ClarityType.UInt:
      return { type: value.type, value: value.value.toString() };
    case ClarityType.Buffer:
      return { type: value.type, value: `0x${value.value.toLowerCase()}` };
    case ClarityType.BoolTrue:
      return { type: value.type, value: true };
    case ClarityType.BoolFalse:
      return { type: value.type, value: false };
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
    case ClarityType.StringASCII:
    case ClarityType.StringUTF8:
      return { type: value.type, value: value.value };
    case ClarityType.OptionalNone:
      return { type: value.type, value: null };
    case ClarityType.OptionalSome:
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
      return { type: value.type, value: clarityJson(value.value) };
    case ClarityType.List:
      return { type: value.type, value: value.value.map(clarityJson) };
    case ClarityType.Tuple:
      return {
        type: value.type,
        value: Object.fromEntries(
          tupleFields(value.value).map(([name, item]) => [name, clarityJson(item)]),
        ),
      };
  }
}

export type ClarityJsonParse = { ok: true; value: ClarityValue } | { ok: false; message: string };

/**
 * Reads the JSON form. Messages start with the JSON path of the problem, `path` being the name of
 * the whole value (`message`, then `message.value.amount`, `message.value[0]`).
 */
export function parseClarityJson(input: unknown, path = 'value'): ClarityJsonParse {
  let value: ClarityValue;
  try {
    value = build(input, path, 1);
  } catch (error) {
    if (error instanceof ClarityJsonError) return { ok: false, message: error.message };
    throw error;
  }
  try {
    decodeClarityValue(serializeClarityValue(value));
  } catch (error) {
    if (!(error instanceof ClarityDecodeError)) throw error;
    return { ok: false, message: `${path}: ${error.message}` };
  }
  return { ok: true, value };
}

class ClarityJsonError extends Error {}

function fail(path: string, message: string): never {
  throw new ClarityJsonError(`${path}: ${message}`);
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
/** The types whose `value` is fixed, so that stacks.js leaves it out. */
const FIXED_VALUES: Record<string, boolean | null> = { true: true, false: false, none: null };

function build(json: unknown, path: string, depth: number): ClarityValue {
  // The recursion guard; the decoder then counts depth as the node does (`none` is two levels).
  if (depth > MAX_TYPE_DEPTH)
    fail(path, `it nests deeper than Clarity's ${MAX_TYPE_DEPTH}-level limit`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(path, 'expected a Clarity value such as {"type": "uint", "value": "1"}');
  }
  const node = json as Record<string, unknown>;
  const extra = Object.keys(node).filter((key) => key !== 'type' && key !== 'value');
  if (extra.length > 0)
    fail(path, `unexpected key ${JSON.stringify(extra[0])}: only type and value`);
  const { type, value } = node;
  if (typeof type === 'string' && Object.hasOwn(FIXED_VALUES, type)) {
    const fixed = FIXED_VALUES[type];
    if ('value' in node && value !== fixed) {
      fail(path, `type ${type} has the value ${fixed}, or none at all`);
    }
  } else if (!('value' in node)) {
    fail(path, `type ${String(type)} needs a value`);
  }
  switch (type) {
    case 'true':
      return Cl.bool(true);
    case 'false':
      return Cl.bool(false);
    case 'none':
      return Cl.none();
    case 'int':
    case 'uint': {
      const n = integer(value, path);
      try {
        return type === 'int' ? Cl.int(n) : Cl.uint(n);
      } catch {
        return fail(path, `${n} is out of range for a Clarity ${type} (128 bits)`);
      }
    }
    case 'buffer': {
      const bytes = typeof value === 'string' ? parseHex(value, { allowEmpty: true }) : undefined;
      if (!bytes?.ok) return fail(path, 'a buffer value must be hex bytes (0x optional)');
      return Cl.buffer(bytes.bytes);
    }
    case 'ascii': {
      const ascii = text(value, path);
      if (NOT_CLARITY_ASCII.test(ascii)) {
        fail(
          path,
          'a string-ascii holds only printable ASCII, tab, line feed, form feed and carriage return',
        );
      }
      return Cl.stringAscii(ascii);
    }
    case 'utf8': {
      const utf8 = text(value, path);
      if (/\p{Cs}/u.test(utf8)) fail(path, 'a string-utf8 cannot hold a lone surrogate');
      return Cl.stringUtf8(utf8);
    }
    case 'address':
    case 'contract':
      return principal(type, text(value, path), path);
    case 'some':
      return Cl.some(build(value, `${path}.value`, depth + 1));
    case 'ok':
      return Cl.ok(build(value, `${path}.value`, depth + 1));
    case 'err':
      return Cl.error(build(value, `${path}.value`, depth + 1));
    case 'list':
      if (!Array.isArray(value)) fail(path, 'a list value must be an array');
      return Cl.list(value.map((item, i) => build(item, `${path}.value[${i}]`, depth + 1)));
    case 'tuple':
      return tuple(value, path, depth);
    default:
      return fail(
        path,
        `unknown type ${JSON.stringify(type)}: expected int, uint, buffer, true, false, address, contract, ok, err, none, some, list, tuple, ascii or utf8`,
      );
  }
}

function integer(raw: unknown, path: string): bigint {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw);
  if (typeof raw === 'string' && DECIMAL.test(raw)) return BigInt(raw);
  return fail(path, 'value must be an integer: a decimal string, or a JSON integer up to 2^53 - 1');
}

function text(raw: unknown, path: string): string {
  if (typeof raw !== 'string') fail(path, 'value must be a string');
  return raw;
}

/** A standard (`address`) or contract (`contract`) principal, spelled canonically. */
function principal(type: 'address' | 'contract', raw: string, path: string): ClarityValue {
  const parsed = parsePrincipalValue(raw);
  if (type === 'address') {
    if (!parsed.ok || parsed.principal.contractName !== undefined) {
      const why = parsed.ok ? 'it names a contract; send {"type": "contract"}' : parsed.reason;
      fail(path, `${JSON.stringify(raw)} is not a c32check Stacks address: ${why}`);
    }
    return Cl.standardPrincipal(raw);
  }
  if (!parsed.ok || parsed.principal.contractName === undefined) {
    fail(
      path,
      `a contract value is ADDRESS.contract-name: ${parsed.ok ? 'the name is missing' : parsed.reason}`,
    );
  }
  // Built as the decoder builds it: stacks.js `Cl.contractPrincipal` refuses 128-byte names.
  const { address, contractName } = parsed.principal;
  return { type: ClarityType.PrincipalContract, value: `${address}.${contractName}` };
}

function tuple(value: unknown, path: string, depth: number): ClarityValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, 'a tuple value must be an object of named values');
  }
  const names = Object.keys(value);
  if (names.length === 0) fail(path, 'a tuple needs at least one field');
  // A null-prototype object: a field named like an Object.prototype key stays a plain field.
  const fields: Record<string, ClarityValue> = Object.create(null);
  for (const name of names) {
    if (name.length > MAX_NAME_LENGTH || !CLARITY_NAME.test(name)) {
      fail(
        path,
        `${JSON.stringify(name)} is not a Clarity name (a letter, then letters, digits or -_!?+<>=/*; at most ${MAX_NAME_LENGTH})`,
      );
    }
    fields[name] = build(
      (value as Record<string, unknown>)[name],
      `${path}.value.${name}`,
      depth + 1,
    );
  }
  // Fields in the node's order, as decoded tuples hold them.
  const ordered: Record<string, ClarityValue> = Object.create(null);
  for (const [name, field] of tupleFields(fields)) ordered[name] = field;
  return { type: ClarityType.Tuple, value: ordered };
}
