/**
 * A Clarity value in a request: hex only in the node's own spelling (what SIP-018 hashes must be
 * what a contract hashes), or the JSON form, including the whole /stacks/decode/clarity answer.
 */
import { Cl, serializeCV } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { CLARITY_SAMPLES } from '../../../test/worker/support/clarity-values';
import { bytesToHex } from '../../encoding/hex';
import { describeClarityValue } from './format';
import { parseClarityInput } from './input';
import { serializeClarityValue } from './serialize';

const serialized = (input: unknown) => {
  const result = parseClarityInput(input, 'message');
  if (!result.ok) throw new Error(result.message);
  return bytesToHex(result.value.serialized);
};
const problem = (input: unknown) => {
  const result = parseClarityInput(input, 'message');
  return result.ok ? undefined : result.message;
};

describe('parseClarityInput: JSON or hex, and the consensus bytes', () => {
  it.each(CLARITY_SAMPLES)('%s: the bytes stacks.js serializeCV writes', (_label, json, value) => {
    const expected = serializeCV(value);
    expect(serialized(json)).toBe(expected);
    expect(serialized(expected)).toBe(expected);
    expect(serialized(`0x${expected}`)).toBe(expected);
    expect(parseClarityInput(expected)).toEqual({
      ok: true,
      value: { value, serialized: serializeClarityValue(value) },
    });
  });

  it('serializes JSON tuples in byte order of their names ("B" before "a"), as Clarity does', () => {
    const uint = (n: number) => `01${n.toString(16).padStart(32, '0')}`;
    const json = {
      type: 'tuple',
      value: { a: { type: 'uint', value: 1 }, B: { type: 'uint', value: 2 } },
    };
    expect(serialized(json)).toBe(['0c00000002', '0142', uint(2), '0161', uint(1)].join(''));
  });

  it('reads back what /stacks/decode/clarity answers, repr included', () => {
    const value = Cl.tuple({
      amount: Cl.uint(1000),
      memo: Cl.some(Cl.bufferFromHex('cafe')),
      to: Cl.standardPrincipal('ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM'),
    });
    const answer = describeClarityValue(value);
    expect(parseClarityInput(answer, 'message')).toEqual({
      ok: true,
      value: { value, serialized: serializeClarityValue(value) },
    });
    expect(problem({ ...answer, repr: '(tuple (amount u1))' })).toBe(
      `message: repr "(tuple (amount u1))" is not the value's literal ${JSON.stringify(answer.repr)}; send the value without repr, or with its own`,
    );
  });

  it('says where JSON is wrong', () => {
    expect(problem({ type: 'list', value: [{ type: 'uint', value: 'x' }] })).toBe(
      'message.value[0]: value must be an integer: a decimal string, or a JSON integer up to 2^53 - 1',
    );
  });
});

describe('parseClarityInput: hex only in the consensus spelling', () => {
  const hello = '0d0000000b48656c6c6f20576f726c64';

  it('accepts the consensus bytes', () => {
    expect(parseClarityInput(hello)).toEqual({
      ok: true,
      value: {
        value: Cl.stringAscii('Hello World'),
        serialized: serializeClarityValue(Cl.stringAscii('Hello World')),
      },
    });
  });

  it.each([
    ['trailing bytes', `${hello}00`, '1 byte(s) follow the value that ends at byte 16'],
    ['a truncated value', hello.slice(0, -2), 'the bytes end inside a string-ascii'],
    ['an unknown type byte', '0f', 'byte 0 is 0x0f, which is not a Clarity type prefix'],
    [
      'tuple fields out of order',
      `0c00000002016201${'0'.repeat(30)}01016101${'0'.repeat(30)}02`,
      'message: not the consensus serialization of its value: tuple fields must be in byte order of their names',
    ],
    [
      'a repeated tuple field',
      `0c00000002016101${'0'.repeat(30)}01016101${'0'.repeat(30)}02`,
      'the field name "a" appears twice',
    ],
    ['a non-ASCII byte in a string-ascii', '0d00000001ff', 'byte 0xff is not a printable ASCII'],
    ['a control byte in a string-ascii', '0d0000000100', 'byte 0x00 is not a printable ASCII'],
    ['invalid UTF-8 in a string-utf8', '0e00000001ff', 'its bytes are not valid UTF-8'],
    ['an empty tuple', '0c00000000', 'Clarity has no empty tuples'],
    ['an empty hex string', '', 'message: a string must be the hex of a serialized Clarity value'],
    [
      'hex that is no value',
      'zz',
      'message: a string must be the hex of a serialized Clarity value',
    ],
    ['text', 'Hello World', 'a string must be the hex of a serialized Clarity value'],
  ])('refuses %s', (_label, hex, message) => {
    expect(problem(hex)).toContain(message);
  });

  it("refuses values nested deeper than Clarity's 32 levels, as the node counts them", () => {
    // `none` is typed (optional NoType): two levels, so 30 wrappers are the most around it.
    const deep = (levels: number) => `${'0a'.repeat(levels)}09`;
    expect(problem(deep(30))).toBeUndefined();
    expect(problem(deep(31))).toBe(
      "message: not a serialized Clarity value: the some at byte 0 is invalid: it nests deeper than Clarity's 32-level limit",
    );
  });
});
