/**
 * A strict decoder of serialized Clarity values: SIP-005 "Clarity Value Representation" (type
 * prefixes 0x00-0x0c) plus the string types the node added (0x0d string-ascii, 0x0e string-utf8),
 * accepting exactly what the Stacks node's untyped deserializer accepts (stacks-core
 * `clarity/src/vm/types/serialization.rs`, `deserialize_read`). It returns @stacks/transactions
 * values, so the rest of the code works with the usual types.
 *
 * Why not `deserializeCV` from @stacks/transactions: it reads past the end of its input as if
 * the missing bytes were there, ignores trailing bytes, replaces invalid UTF-8, and accepts
 * string bytes, tuple names, duplicate or missing tuple fields, mixed-type lists and nesting that
 * the node rejects. A decoder that says "valid" must mean the chain would take the value.
 */
import {
  addressFromVersionHash,
  addressToString,
  bufferCV,
  ClarityType,
  type ClarityValue,
  falseCV,
  intCV,
  listCV,
  noneCV,
  responseErrorCV,
  responseOkCV,
  someCV,
  stringAsciiCV,
  stringUtf8CV,
  type TupleCV,
  trueCV,
  uintCV,
} from '@stacks/transactions';
import { bytesToHex } from '../../encoding/hex';
import {
  ClarityTypeError,
  checkedType,
  leastSupertype,
  MAX_TYPE_DEPTH,
  MAX_VALUE_SIZE,
  type TypeSignature,
} from './type-signature';

export class ClarityDecodeError extends Error {}

/** stacks-core ClarityName (tuple field names): a letter then letters, digits, `-_!?+<>=/*`. */
export const CLARITY_NAME = /^[a-zA-Z][a-zA-Z0-9\-_!?+<>=/*]*$|^[-+=/*]$|^[<>]=?$/;
/** stacks-core ContractName inside a principal value (SIP-005: "a valid contract name"). */
export const CONTRACT_NAME = /^[a-zA-Z][a-zA-Z0-9\-_]*$|^__transient$/;
/** stacks-core MAX_STRING_LEN: names are at most 128 bytes. */
export const MAX_NAME_LENGTH = 128;
/**
 * A character a string-ascii cannot hold. stacks-core `string_ascii_from_bytes` takes Rust's
 * is_ascii_alphanumeric, _punctuation or _whitespace: 0x20-0x7e plus tab, line feed, form feed
 * and carriage return.
 */
export const NOT_CLARITY_ASCII = /[^\x20-\x7e\t\n\f\r]/;
/** Principal versions are one c32 character (0-31). */
const MAX_ADDRESS_VERSION = 31;

/** What to call the value at a prefix in error messages. */
const TYPE_NAMES = [
  'int',
  'uint',
  'buffer',
  'true',
  'false',
  'standard principal',
  'contract principal',
  'ok response',
  'err response',
  'none',
  'some',
  'list',
  'tuple',
  'string-ascii',
  'string-utf8',
];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedClarityValue {
  value: ClarityValue;
  /** Offset of the first byte after the value. */
  end: number;
}

/** Decodes a whole input: one value, no byte left over. Throws ClarityDecodeError. */
export function decodeClarityValue(bytes: Uint8Array): ClarityValue {
  const { value, end } = readClarityValue(bytes, 0);
  if (end !== bytes.length) {
    throw new ClarityDecodeError(
      `${bytes.length - end} byte(s) follow the value that ends at byte ${end}; a serialized Clarity value must be exactly one value`,
    );
  }
  return value;
}

/** Decodes one value starting at `offset` (a transaction argument, say). Throws ClarityDecodeError. */
export function readClarityValue(bytes: Uint8Array, offset: number): DecodedClarityValue {
  const reader = new Reader(bytes, offset);
  const { value } = reader.value(1);
  return { value, end: reader.offset };
}

interface Typed {
  value: ClarityValue;
  type: TypeSignature;
}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  value(depth: number): Typed {
    const start = this.offset;
    // Checked before reading, like the node's stack check, so recursion stays 32 deep at most.
    if (depth > MAX_TYPE_DEPTH) {
      throw new ClarityDecodeError(
        `the value at byte ${start} nests deeper than Clarity's ${MAX_TYPE_DEPTH}-level limit`,
      );
    }
    const prefix = this.take(1, 'a type prefix')[0];
    try {
      return this.body(prefix, depth);
    } catch (error) {
      if (!(error instanceof ClarityTypeError)) throw error;
      const name = TYPE_NAMES[prefix] ?? 'value';
      throw new ClarityDecodeError(`the ${name} at byte ${start} is invalid: ${error.message}`);
    }
  }

  private body(prefix: number, depth: number): Typed {
    switch (prefix) {
      case 0x00:
        return { value: intCV(BigInt.asIntN(128, this.u128())), type: { kind: 'int' } };
      case 0x01:
        return { value: uintCV(this.u128()), type: { kind: 'uint' } };
      case 0x02: {
        const bytes = this.take(this.length('buffer'), 'a buffer');
        return { value: bufferCV(bytes), type: { kind: 'buff', length: bytes.length } };
      }
      case 0x03:
        return { value: trueCV(), type: { kind: 'bool' } };
      case 0x04:
        return { value: falseCV(), type: { kind: 'bool' } };
      case 0x05:
        return {
          value: { type: ClarityType.PrincipalStandard, value: this.address() },
          type: PRINCIPAL,
        };
      case 0x06: {
        const address = this.address();
        const name = this.name(CONTRACT_NAME, 'contract name');
        const value = { type: ClarityType.PrincipalContract, value: `${address}.${name}` } as const;
        return { value, type: PRINCIPAL };
      }
      case 0x07:
      case 0x08: {
        const inner = this.value(depth + 1);
        const value = prefix === 0x07 ? responseOkCV(inner.value) : responseErrorCV(inner.value);
        const ok = prefix === 0x07 ? inner.type : undefined;
        const err = prefix === 0x07 ? undefined : inner.type;
        return { value, type: checkedType({ kind: 'response', ok, err }) };
      }
      case 0x09:
        return { value: noneCV(), type: { kind: 'optional', inner: undefined } };
      case 0x0a: {
        const inner = this.value(depth + 1);
        return {
          value: someCV(inner.value),
          type: checkedType({ kind: 'optional', inner: inner.type }),
        };
      }
      case 0x0b:
        return this.list(depth);
      case 0x0c:
        return this.tuple(depth);
      case 0x0d:
        return this.ascii();
      case 0x0e:
        return this.utf8();
      default:
        throw new ClarityDecodeError(
          `byte ${this.offset - 1} is 0x${prefix.toString(16).padStart(2, '0')}, which is not a Clarity type prefix (0x00-0x0e)`,
        );
    }
  }

  private list(depth: number): Typed {
    const count = this.length('list');
    const items: ClarityValue[] = [];
    let item: TypeSignature;
    for (let i = 0; i < count; i++) {
      const next = this.value(depth + 1);
      items.push(next.value);
      item = i === 0 ? next.type : leastSupertype(item, next.type);
    }
    return { value: listCV(items), type: checkedType({ kind: 'list', item, maxLength: count }) };
  }

  private tuple(depth: number): Typed {
    const count = this.length('tuple');
    if (count === 0) throw new ClarityTypeError('Clarity has no empty tuples');
    const fields = new Map<string, Typed>();
    for (let i = 0; i < count; i++) {
      const name = this.name(CLARITY_NAME, 'tuple field name');
      if (fields.has(name)) throw new ClarityTypeError(`the field name "${name}" appears twice`);
      fields.set(name, this.value(depth + 1));
    }
    // The node keeps tuples in a BTreeMap: fields in byte order of their names, whatever the
    // order on the wire (SIP-005 does not fix one; stacks.js writes them in locale order).
    const names = [...fields.keys()].sort(compareNames);
    const value: TupleCV = {
      type: ClarityType.Tuple,
      value: Object.fromEntries(
        names.map((name) => [name, fields.get(name)?.value as ClarityValue]),
      ),
    };
    const types = new Map(names.map((name) => [name, fields.get(name)?.type]));
    return { value, type: checkedType({ kind: 'tuple', fields: types }) };
  }

  private ascii(): Typed {
    const bytes = this.take(this.length('string-ascii'), 'a string-ascii');
    // One character per byte (0x80-0xff read as U+0080-U+00FF), so a bad index is a bad byte.
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    const bad = text.search(NOT_CLARITY_ASCII);
    if (bad !== -1) {
      throw new ClarityTypeError(
        `byte 0x${bytes[bad].toString(16).padStart(2, '0')} is not a printable ASCII character`,
      );
    }
    return { value: stringAsciiCV(text), type: { kind: 'ascii', length: bytes.length } };
  }

  private utf8(): Typed {
    const bytes = this.take(this.length('string-utf8'), 'a string-utf8');
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ClarityTypeError('its bytes are not valid UTF-8');
    }
    const length = [...text].length;
    if (length * 4 > MAX_VALUE_SIZE) throw new ClarityTypeError('it has too many characters');
    return { value: stringUtf8CV(text), type: { kind: 'utf8', length } };
  }

  /** A c32 address from a version byte and a hash160 (SIP-005 standard principal). */
  private address(): string {
    const version = this.take(1, 'a principal version')[0];
    const hash = this.take(20, 'a principal hash160');
    if (version > MAX_ADDRESS_VERSION) {
      throw new ClarityTypeError(`address version ${version} is above ${MAX_ADDRESS_VERSION}`);
    }
    return addressToString(addressFromVersionHash(version, bytesToHex(hash)));
  }

  private name(pattern: RegExp, what: string): string {
    const length = this.take(1, `the length of a ${what}`)[0];
    if (length > MAX_NAME_LENGTH) {
      throw new ClarityTypeError(`a ${what} is ${length} bytes; the limit is ${MAX_NAME_LENGTH}`);
    }
    const name = String.fromCharCode(...this.take(length, `a ${what}`));
    if (!pattern.test(name)) throw new ClarityTypeError(`"${name}" is not a valid ${what}`);
    return name;
  }

  /** A u32 length, bounded like the node's BufferLength (1 MiB). */
  private length(what: string): number {
    const b = this.take(4, `the length of a ${what}`);
    const length = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    if (length > MAX_VALUE_SIZE) {
      throw new ClarityTypeError(`its length ${length} is above the ${MAX_VALUE_SIZE} limit`);
    }
    return length;
  }

  private u128(): bigint {
    return BigInt(`0x${bytesToHex(this.take(16, 'a 128-bit integer'))}`);
  }

  private take(length: number, what: string): Uint8Array {
    if (this.offset + length > this.bytes.length) {
      throw new ClarityDecodeError(
        `the bytes end inside ${what} at byte ${this.offset} (${length} byte(s) needed, ${this.bytes.length - this.offset} left)`,
      );
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}

const PRINCIPAL: TypeSignature = { kind: 'principal' };

/** Byte order of names (all ASCII), the order of Rust's String in the node's BTreeMap. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A tuple's fields in the node's order (byte order of names), not the object's own order. */
export function tupleFields(fields: Record<string, ClarityValue>): [string, ClarityValue][] {
  return Object.keys(fields)
    .sort(compareNames)
    .map((name) => [name, fields[name]]);
}
