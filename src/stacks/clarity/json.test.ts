/**
 * The JSON form both ways: what `clarityJson` writes, `parseClarityJson` reads back to the same
 * value; the stacks.js v7 spellings are read too; what the node would refuse is refused, with the
 * JSON path of the problem.
 */
import { AddressVersion, Cl, ClarityType, type ClarityValue } from '@stacks/transactions';
import { c32address } from 'c32check';
import { describe, expect, it } from 'vitest';
import { CLARITY_SAMPLES, SAMPLE_ADDRESS } from '../../../test/worker/support/clarity-values';
import { clarityJson, parseClarityJson } from './json';

const ADDRESS = SAMPLE_ADDRESS;

const problem = (input: unknown) => {
  const result = parseClarityJson(input, 'message');
  return result.ok ? undefined : result.message;
};
const nest = (levels: number, leaf: unknown) => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { type: 'some', value };
  return value;
};

describe('clarityJson', () => {
  it('writes {type, value} at every level: decimal strings, 0x hex, booleans, null', () => {
    const value = Cl.tuple({
      b: Cl.list([Cl.int(-5), Cl.uint(2n ** 128n - 1n)]),
      a: Cl.some(Cl.ok(Cl.bufferFromHex('CAFE'))),
      c: Cl.error(Cl.none()),
      d: Cl.bool(true),
      e: Cl.bool(false),
      f: Cl.contractPrincipal(ADDRESS, 'x'),
      g: Cl.stringUtf8('é'),
    });
    expect(clarityJson(value)).toEqual({
      type: 'tuple',
      value: {
        a: {
          type: 'some',
          value: { type: 'ok', value: { type: 'buffer', value: '0xcafe' } },
        },
        b: {
          type: 'list',
          value: [
            { type: 'int', value: '-5' },
            { type: 'uint', value: '340282366920938463463374607431768211455' },
          ],
        },
        c: { type: 'err', value: { type: 'none', value: null } },
        d: { type: 'true', value: true },
        e: { type: 'false', value: false },
        f: { type: 'contract', value: `${ADDRESS}.x` },
        g: { type: 'utf8', value: 'é' },
      },
    });
  });

  it('writes tuple fields in byte order of their names ("B" before "a")', () => {
    const json = clarityJson(Cl.tuple({ a: Cl.uint(1), B: Cl.uint(2) }));
    expect(Object.keys(json.value as object)).toEqual(['B', 'a']);
  });
});

describe('parseClarityJson reads the form clarityJson writes, and the stacks.js v7 shape', () => {
  it.each(CLARITY_SAMPLES)('%s', (_label, json, value) => {
    expect(parseClarityJson(json)).toEqual({ ok: true, value });
  });

  it.each(CLARITY_SAMPLES)(
    '%s: clarityJson output reads back to the same value',
    (_l, _j, value) => {
      expect(parseClarityJson(clarityJson(value))).toEqual({ ok: true, value });
    },
  );

  it.each<[string, unknown, ClarityValue]>([
    [
      'a 128-character contract name (stacks.js builds at most 127)',
      { type: 'contract', value: `${ADDRESS}.${'a'.repeat(128)}` },
      { type: ClarityType.PrincipalContract, value: `${ADDRESS}.${'a'.repeat(128)}` },
    ],
    [
      'an address of any version, as the node decodes principals',
      { type: 'address', value: c32address(0, '00'.repeat(20)) },
      Cl.standardPrincipal(c32address(0, '00'.repeat(20))),
    ],
    [
      'a mainnet multi-sig address',
      { type: 'address', value: c32address(AddressVersion.MainnetMultiSig, '11'.repeat(20)) },
      Cl.standardPrincipal(c32address(AddressVersion.MainnetMultiSig, '11'.repeat(20))),
    ],
    [
      'a tuple with symbol names, held in byte order',
      { type: 'tuple', value: { 'ok?': { type: 'none' }, '+': { type: 'none' } } },
      Cl.tuple({ '+': Cl.none(), 'ok?': Cl.none() }),
    ],
  ])('accepts %s', (_label, json, value) => {
    expect(parseClarityJson(json)).toEqual({ ok: true, value });
  });

  it('holds tuple fields in byte order, as decoded tuples do', () => {
    const parsed = parseClarityJson({
      type: 'tuple',
      value: { a: { type: 'uint', value: 1 }, B: { type: 'uint', value: 2 } },
    });
    if (!parsed.ok || parsed.value.type !== ClarityType.Tuple) throw new Error('not a tuple');
    expect(Object.keys(parsed.value.value)).toEqual(['B', 'a']);
  });
});

describe('parseClarityJson: what it refuses', () => {
  it.each([
    ['a number', 5, 'message: expected a Clarity value such as {"type": "uint", "value": "1"}'],
    ['an unknown type', { type: 'bool', value: true }, 'message: unknown type "bool"'],
    ['an extra key', { type: 'uint', value: '1', hint: 'x' }, 'message: unexpected key "hint"'],
    ['a missing value', { type: 'uint' }, 'message: type uint needs a value'],
    [
      'a wrong value on true',
      { type: 'true', value: false },
      'message: type true has the value true, or none at all',
    ],
    [
      'a string for false',
      { type: 'false', value: 'false' },
      'message: type false has the value false, or none at all',
    ],
    [
      'a value on none',
      { type: 'none', value: 0 },
      'message: type none has the value null, or none at all',
    ],
    ['a negative uint', { type: 'uint', value: '-1' }, 'out of range'],
    ['a uint over 128 bits', { type: 'uint', value: (2n ** 128n).toString() }, 'out of range'],
    ['an int over 127 bits', { type: 'int', value: (2n ** 127n).toString() }, 'out of range'],
    ['a fractional integer', { type: 'int', value: 1.5 }, 'must be an integer'],
    ['an unsafe JSON integer', { type: 'uint', value: 2 ** 60 }, 'must be an integer'],
    ['a hex integer', { type: 'uint', value: '0x10' }, 'must be an integer'],
    ['odd buffer hex', { type: 'buffer', value: 'abc' }, 'hex bytes'],
    ['a buffer as bytes', { type: 'buffer', value: [1, 2] }, 'hex bytes'],
    ['a lower-case address', { type: 'address', value: ADDRESS.toLowerCase() }, 'not a c32check'],
    ['a contract as address', { type: 'address', value: `${ADDRESS}.x` }, 'not a c32check'],
    [
      'a bad contract name',
      { type: 'contract', value: `${ADDRESS}.1abc` },
      'ADDRESS.contract-name',
    ],
    [
      'a contract without a name',
      { type: 'contract', value: ADDRESS },
      'message: a contract value is ADDRESS.contract-name: the name is missing',
    ],
    ['a non-ASCII string-ascii', { type: 'ascii', value: 'héllo' }, 'printable ASCII'],
    // stacks.js would write U+1234 as the byte 0x34 ("4"), a value nobody sent.
    ['a character stacks.js mangles', { type: 'ascii', value: '\u1234' }, 'printable ASCII'],
    ['a lone surrogate', { type: 'utf8', value: 'a\ud800' }, 'lone surrogate'],
    ['an empty tuple', { type: 'tuple', value: {} }, 'at least one field'],
    [
      'a field that is no Clarity name',
      { type: 'tuple', value: { '1a': { type: 'none' } } },
      'not a Clarity name',
    ],
    [
      'a __proto__ field',
      JSON.parse('{"type":"tuple","value":{"__proto__":{"type":"none"}}}'),
      'not a Clarity name',
    ],
    ['a list that is not an array', { type: 'list', value: {} }, 'must be an array'],
    [
      'a list of mixed types, which the node refuses',
      {
        type: 'list',
        value: [
          { type: 'uint', value: '1' },
          { type: 'int', value: '1' },
        ],
      },
      'message: the list at byte 0 is invalid: the elements of a list do not share a type (uint and int)',
    ],
  ])('%s', (_label, input, message) => {
    expect(problem(input)).toContain(message);
  });

  it('names the path of a nested problem', () => {
    expect(
      problem({
        type: 'tuple',
        value: { amount: { type: 'some', value: { type: 'uint', value: '-2' } } },
      }),
    ).toBe('message.value.amount.value: -2 is out of range for a Clarity uint (128 bits)');
    expect(
      problem({
        type: 'tuple',
        value: {
          items: {
            type: 'list',
            value: [
              { type: 'ascii', value: 'ok' },
              { type: 'ascii', value: 'é' },
            ],
          },
        },
      }),
    ).toBe(
      'message.value.items.value[1]: a string-ascii holds only printable ASCII, tab, line feed, form feed and carriage return',
    );
  });

  it("refuses values nested deeper than Clarity's 32 levels, counted as the node counts them", () => {
    const uint = { type: 'uint', value: '1' };
    expect(problem(nest(31, uint))).toBeUndefined();
    // `none` is typed (optional NoType): two levels, so 30 wrappers are the most around it.
    expect(problem(nest(30, { type: 'none' }))).toBeUndefined();
    expect(problem(nest(31, { type: 'none' }))).toBe(
      "message: the some at byte 0 is invalid: it nests deeper than Clarity's 32-level limit",
    );
    expect(problem(nest(32, uint))).toBe(
      `message${'.value'.repeat(32)}: it nests deeper than Clarity's 32-level limit`,
    );
  });
});
