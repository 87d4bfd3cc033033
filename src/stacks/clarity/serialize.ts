/**
 * The node's serialization of a Clarity value (SIP-005 "Clarity Value Representation"): the
 * consensus bytes that `to-consensus-buff?` yields, that a txid covers and that SIP-018 hashes.
 * It differs from @stacks/transactions `serializeCV` in one place: tuple fields are written in
 * byte order of their names (the node keeps tuples in a Rust BTreeMap), where stacks.js sorts
 * them with `localeCompare` (`a` before `B`, `_` before `1`). The node re-serializes what it
 * deserialized before hashing a transaction, so its txid and signature hash use this order, and
 * a contract hashing a tuple gets these bytes. Wrappers, lists and tuples are written here;
 * leaves (ints, buffers, strings, principals, booleans, none) by stacks.js, whose encoding of
 * them is exact.
 */
import { ClarityType, type ClarityValue, serializeCVBytes } from '@stacks/transactions';
import { tupleFields } from './deserialize';

export function serializeClarityValue(value: ClarityValue): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value, parts);
  return concatBytes(parts);
}

function write(value: ClarityValue, parts: Uint8Array[]): void {
  switch (value.type) {
    case ClarityType.OptionalSome:
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
      parts.push(Uint8Array.of(PREFIX[value.type]));
      write(value.value, parts);
      return;
    case ClarityType.List:
      parts.push(Uint8Array.of(0x0b), u32(value.value.length));
      for (const item of value.value) write(item, parts);
      return;
    case ClarityType.Tuple: {
      const fields = tupleFields(value.value);
      parts.push(Uint8Array.of(0x0c), u32(fields.length));
      for (const [name, field] of fields) {
        parts.push(
          Uint8Array.of(name.length),
          Uint8Array.from(name, (ch) => ch.charCodeAt(0)),
        );
        write(field, parts);
      }
      return;
    }
    default:
      // Leaves have one encoding, and stacks.js writes it.
      parts.push(serializeCVBytes(value));
  }
}

const PREFIX = {
  [ClarityType.ResponseOk]: 0x07,
  [ClarityType.ResponseErr]: 0x08,
  [ClarityType.OptionalSome]: 0x0a,
} as const;

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
