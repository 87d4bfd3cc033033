/**
 * The node's serialization: stacks.js `serializeCV` bytes wherever the two agree, and the node's
 * own where they do not (tuple field order).
 */
import { Cl, serializeCV, serializeCVBytes } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { CLARITY_SAMPLES } from '../../../test/worker/support/clarity-values';
import { bytesToHex } from '../../encoding/hex';
import { serializeClarityValue } from './serialize';

describe('serializeClarityValue', () => {
  it.each(CLARITY_SAMPLES)(
    '%s: the same bytes as stacks.js serializeCV',
    (_label, _json, value) => {
      expect(bytesToHex(serializeClarityValue(value))).toBe(serializeCV(value));
    },
  );

  it('orders tuple fields in byte order, as Clarity does ("B" before "a"), unlike stacks.js localeCompare', () => {
    const value = Cl.tuple({ a: Cl.uint(1), B: Cl.uint(2) });
    // tuple, 2 fields; "B" (0x42) then "a" (0x61), each a length-prefixed name and a uint.
    const uint = (n: number) => `01${n.toString(16).padStart(32, '0')}`;
    const nodeOrder = ['0c00000002', '0142', uint(2), '0161', uint(1)].join('');
    expect(bytesToHex(serializeClarityValue(value))).toBe(nodeOrder);
    expect(serializeCV(value)).not.toBe(nodeOrder);
    // Everything else is written as stacks.js writes it.
    const plain = Cl.list([Cl.some(Cl.ok(Cl.stringUtf8('é'))), Cl.none()]);
    expect(serializeClarityValue(plain)).toEqual(serializeCVBytes(plain));
  });
});
