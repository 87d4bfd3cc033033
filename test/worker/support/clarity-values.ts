/**
 * One Clarity value of each kind, with a JSON spelling of it that the parser reads (the output form
 * of src/stacks/clarity/json.ts, or a stacks.js v7 spelling it tolerates) and the stacks.js value.
 * Shared by the serializer, JSON and request-input tests of src/stacks/clarity.
 */
import { Cl, type ClarityValue } from '@stacks/transactions';

export const SAMPLE_ADDRESS = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM';

export const CLARITY_SAMPLES: [label: string, json: unknown, value: ClarityValue][] = [
  [
    'uint',
    { type: 'uint', value: '340282366920938463463374607431768211455' },
    Cl.uint(2n ** 128n - 1n),
  ],
  ['uint from a JSON integer', { type: 'uint', value: 7 }, Cl.uint(7)],
  [
    'int',
    { type: 'int', value: '-170141183460469231731687303715884105728' },
    Cl.int(-(2n ** 127n)),
  ],
  ['true', { type: 'true', value: true }, Cl.bool(true)],
  ['true without value', { type: 'true' }, Cl.bool(true)],
  ['false', { type: 'false', value: false }, Cl.bool(false)],
  ['false without value', { type: 'false' }, Cl.bool(false)],
  ['none', { type: 'none', value: null }, Cl.none()],
  ['none without value', { type: 'none' }, Cl.none()],
  ['buffer', { type: 'buffer', value: '0xDEADbeef' }, Cl.bufferFromHex('deadbeef')],
  ['buffer as bare hex', { type: 'buffer', value: 'deadbeef' }, Cl.bufferFromHex('deadbeef')],
  ['empty buffer', { type: 'buffer', value: '' }, Cl.bufferFromHex('')],
  ['ascii', { type: 'ascii', value: 'Hello World\n\t!' }, Cl.stringAscii('Hello World\n\t!')],
  ['utf8', { type: 'utf8', value: 'héllo ✓ 😀' }, Cl.stringUtf8('héllo ✓ 😀')],
  ['address', { type: 'address', value: SAMPLE_ADDRESS }, Cl.standardPrincipal(SAMPLE_ADDRESS)],
  [
    'contract',
    { type: 'contract', value: `${SAMPLE_ADDRESS}.my-contract_v2` },
    Cl.contractPrincipal(SAMPLE_ADDRESS, 'my-contract_v2'),
  ],
  ['some', { type: 'some', value: { type: 'uint', value: '1' } }, Cl.some(Cl.uint(1))],
  ['ok', { type: 'ok', value: { type: 'true' } }, Cl.ok(Cl.bool(true))],
  ['err', { type: 'err', value: { type: 'int', value: '-1' } }, Cl.error(Cl.int(-1))],
  ['empty list', { type: 'list', value: [] }, Cl.list([])],
  [
    'tuple (lower-case names)',
    {
      type: 'tuple',
      value: {
        version: { type: 'ascii', value: '1.0.0' },
        'chain-id': { type: 'uint', value: '1' },
        items: {
          type: 'list',
          value: [
            { type: 'uint', value: '1' },
            { type: 'uint', value: '2' },
          ],
        },
      },
    },
    Cl.tuple({
      version: Cl.stringAscii('1.0.0'),
      'chain-id': Cl.uint(1),
      items: Cl.list([Cl.uint(1), Cl.uint(2)]),
    }),
  ],
];
