/**
 * How we show a Clarity value: its type name, its Clarity literal (`repr`) and its JSON form
 * (json.ts). Reused wherever a value reaches a response (decoded values, contract-call arguments,
 * read-only results), so every route names and prints values the same way.
 *
 * - Type names are the @stacks/transactions v7 `ClarityType` names (`int`, `uint`, `buffer`,
 *   `true`, `false`, `address`, `contract`, `ok`, `err`, `none`, `some`, `list`, `tuple`,
 *   `ascii`, `utf8`): the predecessor's wrong names were a known defect (DESIGN section 9).
 * - `repr` is the Stacks API's `repr` (hirosystems/stacks-encoding-native-js `repr_string`, the
 *   same text as the node's `Display` for strings): `u1`, `-5`, `0x0102`, `'SP….name`,
 *   `(ok u1)`, `(list u1 u2)`, `(tuple (a u1) (b u2))` with fields in byte order of their names,
 *   strings escaped byte by byte like Rust's `escape_default`, and each non-ASCII character of a
 *   string-utf8 written `\u{…}` with the hex of its UTF-8 bytes (the node's own spelling).
 */
import { ClarityType, type ClarityValue } from '@stacks/transactions';
import { tupleFields } from './deserialize';
import { type ClarityJson, clarityJson } from './json';

export type ClarityTypeName = `${ClarityType}`;

export const CLARITY_TYPE_NAMES = Object.values(ClarityType) as [
  ClarityTypeName,
  ...ClarityTypeName[],
];

export interface DescribedClarityValue {
  type: ClarityTypeName;
  value: ClarityJson['value'];
  repr: string;
}

export function clarityTypeName(value: ClarityValue): ClarityTypeName {
  return value.type;
}

/** `{type, value, repr}`: the shape every route uses for a Clarity value. */
export function describeClarityValue(value: ClarityValue): DescribedClarityValue {
  return { type: value.type, value: clarityJson(value).value, repr: clarityRepr(value) };
}

export function clarityRepr(value: ClarityValue): string {
  switch (value.type) {
    case ClarityType.Int:
      return value.value.toString();
    case ClarityType.UInt:
      return `u${value.value}`;
    case ClarityType.Buffer:
      return `0x${value.value.toLowerCase()}`;
    case ClarityType.BoolTrue:
      return 'true';
    case ClarityType.BoolFalse:
      return 'false';
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
      return `'${value.value}`;
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
    case ClarityType.OptionalSome:
      return `(${value.type} ${clarityRepr(value.value)})`;
    case ClarityType.OptionalNone:
      return 'none';
    case ClarityType.List:
      return `(list${value.value.map((item) => ` ${clarityRepr(item)}`).join('')})`;
    case ClarityType.Tuple:
      return `(tuple${tupleFields(value.value)
        .map(([name, item]) => ` (${name} ${clarityRepr(item)})`)
        .join('')})`;
    case ClarityType.StringASCII:
      return `"${Array.from(value.value, (ch) => escapeByte(ch.charCodeAt(0))).join('')}"`;
    case ClarityType.StringUTF8:
      return `u"${Array.from(value.value, escapeUtf8Char).join('')}"`;
  }
}

/** Rust's `u8::escape_default`, which the node applies to every byte of a string literal. */
function escapeByte(byte: number): string {
  switch (byte) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x22:
      return '\\"';
    case 0x27:
      return "\\'";
    case 0x5c:
      return '\\\\';
    default:
      return byte >= 0x20 && byte <= 0x7e
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
}

const encoder = new TextEncoder();

/** A non-ASCII character as `\u{…}` holding its UTF-8 bytes in hex (stacks-core UTF8Data). */
function escapeUtf8Char(ch: string): string {
  const bytes = encoder.encode(ch);
  if (bytes.length === 1) return escapeByte(bytes[0]);
  return `\\u{${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}}`;
}
