/**
 * `POST /stacks/decode/clarity`, paid for for real. Vectors: values built with `Cl.*` and
 * serialized by @stacks/transactions, and hex written out from SIP-005's type prefixes (0x00 int,
 * 0x01 uint, 0x02 buffer with SIP-005's own "hello world" example, ...). DESIGN section 9
 * regression: the predecessor named Clarity types wrongly; every name is asserted here.
 */
import { Cl, type ClarityValue, serializeCV } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { expectFreeRejection, type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson, signPaymentFor } from '../../../test/worker/support/paid-request';
import { decodeClarityRoute, MAX_CLARITY_VALUE_BYTES } from './decode-clarity';

const PATH = '/stacks/decode/clarity';
const ALICE = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const MAX_U128 = 2n ** 128n - 1n;

/** Asks, gets the 402, pays with a fresh nonce, and returns the 200 JSON. */
const paidDecode = (app: TestApp, hex: string, nonce: number) =>
  paidJson(app, PATH, { body: { hex }, payment: { nonce: BigInt(nonce) } });

const json = (type: string, value: unknown) => ({ type, value });

/** [label, value, expected JSON value, expected repr]; the type is the value's own. */
const ROUND_TRIPS: [string, ClarityValue, unknown, string][] = [
  ['negative int', Cl.int(-5), '-5', '-5'],
  ['max u128', Cl.uint(MAX_U128), MAX_U128.toString(), `u${MAX_U128}`],
  ['min i128', Cl.int(-(2n ** 127n)), (-(2n ** 127n)).toString(), (-(2n ** 127n)).toString()],
  ['empty buffer', Cl.bufferFromHex(''), '0x', '0x'],
  ['buffer', Cl.bufferFromHex('0102ff'), '0x0102ff', '0x0102ff'],
  ['true', Cl.bool(true), true, 'true'],
  ['false', Cl.bool(false), false, 'false'],
  ['standard principal', Cl.principal(ALICE), ALICE, `'${ALICE}`],
  [
    'contract principal',
    Cl.principal(`${ALICE}.my-contract_2`),
    `${ALICE}.my-contract_2`,
    `'${ALICE}.my-contract_2`,
  ],
  ['(some none)', Cl.some(Cl.none()), json('none', null), '(some none)'],
  ['(ok u1)', Cl.ok(Cl.uint(1)), json('uint', '1'), '(ok u1)'],
  ['(err "nope")', Cl.error(Cl.stringAscii('nope')), json('ascii', 'nope'), '(err "nope")'],
  ['empty list', Cl.list([]), [], '(list)'],
  [
    'list',
    Cl.list([Cl.uint(1), Cl.uint(2)]),
    [json('uint', '1'), json('uint', '2')],
    '(list u1 u2)',
  ],
  [
    'ascii with escapes',
    Cl.stringAscii('it\'s "q"\t\\\n'),
    'it\'s "q"\t\\\n',
    '"it\\\'s \\"q\\"\\t\\\\\\n"',
  ],
  [
    'utf8 with non-ASCII',
    Cl.stringUtf8('héllo ✓ 😀'),
    'héllo ✓ 😀',
    'u"h\\u{c3a9}llo \\u{e29c93} \\u{f09f9880}"',
  ],
  [
    'nested optionals, responses, lists and tuples',
    Cl.tuple({
      owner: Cl.some(Cl.principal(ALICE)),
      balances: Cl.list([Cl.ok(Cl.uint(10)), Cl.error(Cl.uint(3))]),
      meta: Cl.tuple({ name: Cl.stringUtf8('x'), tags: Cl.list([Cl.none(), Cl.some(Cl.int(-1))]) }),
    }),
    {
      balances: json('list', [json('ok', json('uint', '10')), json('err', json('uint', '3'))]),
      meta: json('tuple', {
        name: json('utf8', 'x'),
        tags: json('list', [json('none', null), json('some', json('int', '-1'))]),
      }),
      owner: json('some', json('address', ALICE)),
    },
    `(tuple (balances (list (ok u10) (err u3))) (meta (tuple (name u"x") (tags (list none (some -1))))) (owner (some '${ALICE})))`,
  ],
  [
    // Clarity orders fields by bytes ("B" < "a", "a1" < "a_b"); stacks.js writes them in
    // localeCompare order (a, a_b, a1, B), which the node accepts and re-sorts.
    'tuple fields in byte order',
    Cl.tuple({ a: Cl.uint(1), B: Cl.uint(2), a_b: Cl.uint(3), a1: Cl.uint(4) }),
    {
      B: json('uint', '2'),
      a: json('uint', '1'),
      a1: json('uint', '4'),
      a_b: json('uint', '3'),
    },
    '(tuple (B u2) (a u1) (a1 u4) (a_b u3))',
  ],
];

/** SIP-005 type prefixes, written out by hand (not by a library). */
const SPEC_VECTORS: [string, string, unknown, string][] = [
  ['0x0100000000000000000000000000000001', 'uint', '1', 'u1'],
  ['0x0000000000000000000000000000000001', 'int', '1', '1'],
  ['0x00ffffffffffffffffffffffffffffffff', 'int', '-1', '-1'],
  // SIP-005's NFT example: "a buffer of 11 bytes", 0x02 0x0000000b "hello world".
  [
    '0x020000000b68656c6c6f20776f726c64',
    'buffer',
    '0x68656c6c6f20776f726c64',
    '0x68656c6c6f20776f726c64',
  ],
  ['0x03', 'true', true, 'true'],
  ['0X04', 'false', false, 'false'],
  ['09', 'none', null, 'none'],
  ['0x0c00000001016103', 'tuple', { a: json('true', true) }, '(tuple (a true))'],
  [
    '0x0a0701000000000000000000000000000000ff',
    'some',
    json('ok', json('uint', '255')),
    '(some (ok u255))',
  ],
];

describe('POST /stacks/decode/clarity (paid)', () => {
  it('round-trips values built with Cl.* and serialized by stacks.js', async () => {
    const app = testApp([decodeClarityRoute]);
    for (const [index, [label, value, expectedValue, repr]] of ROUND_TRIPS.entries()) {
      const body = await paidDecode(app, `0x${serializeCV(value)}`, index);
      expect(body, label).toEqual({ type: value.type, value: expectedValue, repr });
      if (value.type === 'tuple') {
        // toEqual ignores key order; the JSON must list fields in the node's order too.
        const keys = Object.keys((body as { value: object }).value);
        expect(keys, label).toEqual(Object.keys(expectedValue as object));
      }
    }
    expect(app.settler.settled).toHaveLength(ROUND_TRIPS.length);
  });

  it('decodes hex written from the SIP-005 type prefixes, with 0x optional', async () => {
    const app = testApp([decodeClarityRoute]);
    for (const [index, [hex, type, value, repr]] of SPEC_VECTORS.entries()) {
      expect(await paidDecode(app, hex, index), hex).toEqual({ type, value, repr });
    }
  });

  it('names every Clarity type with its stacks.js v7 ClarityType name (DESIGN section 9)', async () => {
    const app = testApp([decodeClarityRoute]);
    const one: ClarityValue[] = [
      Cl.int(1),
      Cl.uint(1),
      Cl.bufferFromHex('00'),
      Cl.bool(true),
      Cl.bool(false),
      Cl.principal(ALICE),
      Cl.principal(`${ALICE}.c`),
      Cl.ok(Cl.uint(1)),
      Cl.error(Cl.uint(1)),
      Cl.none(),
      Cl.some(Cl.uint(1)),
      Cl.list([]),
      Cl.tuple({ a: Cl.uint(1) }),
      Cl.stringAscii('a'),
      Cl.stringUtf8('a'),
    ];
    const names: string[] = [];
    for (const [index, value] of one.entries()) {
      names.push(((await paidDecode(app, serializeCV(value), index)) as { type: string }).type);
    }
    expect(names).toEqual([
      'int',
      'uint',
      'buffer',
      'true',
      'false',
      'address',
      'contract',
      'ok',
      'err',
      'none',
      'some',
      'list',
      'tuple',
      'ascii',
      'utf8',
    ]);
  });
});

const u1 = serializeCV(Cl.uint(1));

describe('POST /stacks/decode/clarity: invalid input is a free 400, before any 402', () => {
  it.each([
    ['odd length', { hex: '0x010' }, 'invalid_hex'],
    ['not hex', { hex: '0xzz' }, 'invalid_hex'],
    ['a space', { hex: '01 00' }, 'invalid_hex'],
    ['empty', { hex: '0x' }, 'invalid_hex'],
    ['too large', { hex: `0x${'00'.repeat(MAX_CLARITY_VALUE_BYTES + 1)}` }, 'value_too_large'],
    ['trailing bytes', { hex: `${u1}00` }, 'invalid_clarity_value'],
    ['truncated uint', { hex: u1.slice(0, -2) }, 'invalid_clarity_value'],
    ['unknown type prefix', { hex: '0f' }, 'invalid_clarity_value'],
    ['invalid UTF-8', { hex: '0e00000001ff' }, 'invalid_clarity_value'],
    ['non-printable ASCII', { hex: '0d0000000100' }, 'invalid_clarity_value'],
    ['empty tuple', { hex: '0c00000000' }, 'invalid_clarity_value'],
    ['duplicate tuple field', { hex: '0c00000002016103016104' }, 'invalid_clarity_value'],
    ['bad tuple field name', { hex: '0c00000001013103' }, 'invalid_clarity_value'],
    [
      'list of uint and int',
      { hex: `0b00000002${u1}${serializeCV(Cl.int(1))}` },
      'invalid_clarity_value',
    ],
    ['33 levels deep', { hex: `${'0a'.repeat(32)}03` }, 'invalid_clarity_value'],
    ['principal version 32', { hex: `0520${'00'.repeat(20)}` }, 'invalid_clarity_value'],
    ['bad contract name', { hex: `0616${'00'.repeat(20)}0131` }, 'invalid_clarity_value'],
    ['no hex field', {}, 'invalid_request'],
    ['hex not a string', { hex: 1 }, 'invalid_request'],
    ['unknown field', { hex: u1, encoding: 'hex' }, 'invalid_request'],
  ])('%s is a 400 %s', async (_label, body, code) => {
    const app = testApp([decodeClarityRoute]);
    await expectFreeRejection(app, await app.post(PATH, body), code);
  });

  it('says exactly what is wrong, even when a valid payment is attached', async () => {
    const app = testApp([decodeClarityRoute]);
    const { header } = await signPaymentFor(app, PATH, { body: { hex: u1 } });
    const res = await app.post(PATH, { hex: `0x${u1}0000` }, { 'payment-signature': header });
    expect(res.status).toBe(400);
    const message =
      'not a serialized Clarity value: 2 byte(s) follow the value that ends at byte 17; a serialized Clarity value must be exactly one value';
    expect(await res.json()).toEqual({
      code: 'invalid_clarity_value',
      message: `The request is invalid (nothing was charged): hex: ${message}.`,
      issues: [{ path: 'hex', message, code: 'invalid_clarity_value' }],
    });
    expect(app.settler.settled).toHaveLength(0);
  });
});
