/**
 * The strict Clarity decoder against the Stacks node's rules (stacks-core serialization.rs and
 * signatures.rs): what it accepts round-trips through stacks.js, and what the node rejects it
 * rejects with a sentence naming the byte and the reason.
 */
import { Cl, type ClarityValue, serializeCV, serializeCVBytes } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { parseHex } from '../../encoding/hex';
import { ClarityDecodeError, decodeClarityValue, readClarityValue } from './deserialize';
import { clarityRepr } from './format';

function bytes(hex: string): Uint8Array {
  const parsed = parseHex(hex);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.bytes;
}

const decodeHex = (hex: string) => decodeClarityValue(bytes(hex));
const u1 = serializeCV(Cl.uint(1));
const ALICE = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const ALICE_HASH = '7321b74e2b6a7e949e6c4ad313035b1665095017';

describe('decodeClarityValue accepts what the node accepts', () => {
  const values: [string, ClarityValue][] = [
    ['max int', Cl.int(2n ** 127n - 1n)],
    ['min int', Cl.int(-(2n ** 127n))],
    ['max uint', Cl.uint(2n ** 128n - 1n)],
    ['list of none and some', Cl.list([Cl.none(), Cl.some(Cl.uint(1))])],
    ['list of ok and err', Cl.list([Cl.ok(Cl.uint(1)), Cl.error(Cl.bufferFromHex('00'))])],
    ['list of empty and full lists', Cl.list([Cl.list([]), Cl.list([Cl.uint(1)])])],
    ['list of buffers of any length', Cl.list([Cl.bufferFromHex('01'), Cl.bufferFromHex('0203')])],
    [
      'list of standard and contract principals',
      Cl.list([Cl.principal(ALICE), Cl.principal(`${ALICE}.c`)]),
    ],
    ['tuple with symbol names', Cl.tuple({ '+': Cl.uint(1), '<=': Cl.uint(2), 'ok?': Cl.uint(3) })],
    ['utf8 with a byte-order mark kept', Cl.stringUtf8('\uFEFFx')],
    ['ascii with tab, line feed, form feed, carriage return', Cl.stringAscii('a\tb\nc\fd\re')],
  ];
  it.each(values)('%s', (_label, value) => {
    expect(decodeClarityValue(serializeCVBytes(value))).toEqual(value);
  });

  it('accepts contract names of 128 characters (stacks.js builds at most 127)', () => {
    const hex = `061a${ALICE_HASH}80${'61'.repeat(128)}`;
    expect(decodeHex(hex)).toEqual({ type: 'contract', value: `${ALICE}.${'a'.repeat(128)}` });
  });

  it('accepts 32 levels of nesting and no more', () => {
    expect(clarityRepr(decodeHex(`${'0a'.repeat(31)}03`))).toBe(
      `${'(some '.repeat(31)}true${')'.repeat(31)}`,
    );
  });

  it('accepts tuple fields in any order and keeps them in byte order', () => {
    // b then a on the wire (the node's BTreeMap re-sorts them).
    const value = decodeHex('0c00000002016203016104');
    expect(Object.keys((value as { value: object }).value)).toEqual(['a', 'b']);
    expect(clarityRepr(value)).toBe('(tuple (a false) (b true))');
  });

  it('reads one value inside a larger input and says where it ends', () => {
    expect(readClarityValue(bytes(`ff${u1}ff`), 1)).toEqual({ value: Cl.uint(1), end: 18 });
  });
});

describe('decodeClarityValue rejects what the node rejects', () => {
  const zeroHash = '00'.repeat(20);
  it.each([
    [
      `${u1}00`,
      '1 byte(s) follow the value that ends at byte 17; a serialized Clarity value must be exactly one value',
    ],
    [
      u1.slice(0, -2),
      'the bytes end inside a 128-bit integer at byte 1 (16 byte(s) needed, 15 left)',
    ],
    ['0f', 'byte 0 is 0x0f, which is not a Clarity type prefix (0x00-0x0e)'],
    ['0e00000001ff', 'the string-utf8 at byte 0 is invalid: its bytes are not valid UTF-8'],
    ['0e00000003eda080', 'the string-utf8 at byte 0 is invalid: its bytes are not valid UTF-8'],
    [
      '0d0000000100',
      'the string-ascii at byte 0 is invalid: byte 0x00 is not a printable ASCII character',
    ],
    [
      '0d000000017f',
      'the string-ascii at byte 0 is invalid: byte 0x7f is not a printable ASCII character',
    ],
    ['0c00000000', 'the tuple at byte 0 is invalid: Clarity has no empty tuples'],
    ['0c00000002016103016104', 'the tuple at byte 0 is invalid: the field name "a" appears twice'],
    ['0c00000001013103', 'the tuple at byte 0 is invalid: "1" is not a valid tuple field name'],
    [
      `0b00000002${u1}${serializeCV(Cl.int(1))}`,
      'the list at byte 0 is invalid: the elements of a list do not share a type (uint and int)',
    ],
    [
      `0b00000002${serializeCV(Cl.tuple({ a: Cl.uint(1) }))}${serializeCV(Cl.tuple({ b: Cl.uint(1) }))}`,
      'the list at byte 0 is invalid: the elements of a list do not share a type (tuple and tuple)',
    ],
    [`${'0a'.repeat(32)}03`, "the value at byte 32 nests deeper than Clarity's 32-level limit"],
    // `none` is typed (optional NoType): two levels, so 31 wrappers around it make 33.
    [
      `${'0a'.repeat(31)}09`,
      "the some at byte 0 is invalid: it nests deeper than Clarity's 32-level limit",
    ],
    [
      `0520${zeroHash}`,
      'the standard principal at byte 0 is invalid: address version 32 is above 31',
    ],
    [
      `0616${zeroHash}0131`,
      'the contract principal at byte 0 is invalid: "1" is not a valid contract name',
    ],
    [
      `0616${zeroHash}00`,
      'the contract principal at byte 0 is invalid: "" is not a valid contract name',
    ],
    [
      `0616${zeroHash}81${'61'.repeat(129)}`,
      'the contract principal at byte 0 is invalid: a contract name is 129 bytes; the limit is 128',
    ],
    [
      '0b7fffffff',
      'the list at byte 0 is invalid: its length 2147483647 is above the 1048576 limit',
    ],
    [
      // One 60,000-byte buffer makes every element of a 1,001-element list that large: the node
      // sizes a list as its length times its element type's size, and refuses above 1 MiB.
      `0b000003e9020000ea60${'00'.repeat(60_000)}${'0200000000'.repeat(1000)}`,
      "the list at byte 0 is invalid: its type is larger than Clarity's 1048576-byte limit",
    ],
  ])('%s', (hex, message) => {
    expect(() => decodeHex(hex)).toThrow(new ClarityDecodeError(message));
  });
});

describe('clarityRepr', () => {
  it('escapes strings byte by byte as the node does', () => {
    expect(clarityRepr(Cl.stringAscii('\f'))).toBe('"\\x0c"');
    expect(clarityRepr(Cl.stringUtf8('\u0001\u007f€'))).toBe('u"\\x01\\x7f\\u{e282ac}"');
  });
});
