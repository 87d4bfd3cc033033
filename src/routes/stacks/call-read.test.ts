/** `POST /stacks/contract/call-read`: what is sent to the node, the decoded answer, and failures. */
import { Cl, serializeCV } from '@stacks/transactions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testApp } from '../../../test/worker/support/app';
import { payFor } from '../../../test/worker/support/paid-request';
import { stubStacksApi } from '../../../test/worker/support/stacks-api-stub';
import { callReadRoute } from './call-read';

const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';
const WALLET_1 = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const PATH = `/v2/contracts/call-read/ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT/sbtc-token/get-balance`;
const ROUTE = '/stacks/contract/call-read';

afterEach(() => vi.restoreAllMocks());

async function paidCallRead(body: unknown) {
  const app = testApp([callReadRoute]);
  return { res: await payFor(app, ROUTE, { body }), app };
}

describe('POST /stacks/contract/call-read', () => {
  it('sends the arguments to the node and decodes the result', async () => {
    const okResult = serializeCV(Cl.ok(Cl.uint(1_000_000_000)));
    const seen = stubStacksApi({ [PATH]: Response.json({ okay: true, result: `0x${okResult}` }) });
    const arg = serializeCV(Cl.principal(WALLET_1));
    const { res, app } = await paidCallRead({
      contract: SBTC,
      function: 'get-balance',
      args: [arg.toUpperCase()],
      sender: WALLET_1,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      contract: SBTC,
      function: 'get-balance',
      sender: WALLET_1,
      result: {
        type: 'ok',
        value: { type: 'uint', value: '1000000000' },
        repr: '(ok u1000000000)',
        hex: `0x${okResult}`,
      },
    });
    expect(seen).toEqual([
      {
        method: 'POST',
        path: PATH,
        body: JSON.stringify({ sender: WALLET_1, arguments: [`0x${arg}`] }),
      },
    ]);
    expect(app.settler.settled).toHaveLength(1);
  });

  it('calls as the contract deployer when no sender is given', async () => {
    const seen = stubStacksApi({
      '/v2/contracts/call-read/ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT/sbtc-token/get-decimals':
        Response.json({
          okay: true,
          result: `0x${serializeCV(Cl.ok(Cl.uint(8)))}`,
        }),
    });
    const { res } = await paidCallRead({ contract: SBTC, function: 'get-decimals' });
    const deployer = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT';
    expect(await res.json()).toMatchObject({ sender: deployer, result: { repr: '(ok u8)' } });
    expect(JSON.parse(seen[0].body)).toEqual({ sender: deployer, arguments: [] });
  });

  it('answers 422 with the node cause when it cannot run the call, and charges nothing', async () => {
    stubStacksApi({
      [PATH]: Response.json({ okay: false, cause: 'RuntimeCheck(IncorrectArgumentCount(1, 0))' }),
    });
    const { res, app } = await paidCallRead({ contract: SBTC, function: 'get-balance' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      code: 'read_only_call_failed',
      message:
        'The node could not run the call (nothing was charged): RuntimeCheck(IncorrectArgumentCount(1, 0))',
    });
    expect(app.settler.settled).toHaveLength(0);
  });

  it.each([
    [{ contract: WALLET_1, function: 'get-balance' }, 'invalid_contract'],
    [
      { contract: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXU.sbtc-token', function: 'get-balance' },
      'invalid_contract',
    ],
    [{ contract: SBTC, function: 'get balance' }, 'invalid_function'],
    [{ contract: SBTC, function: 'get-balance', args: ['0x01'] }, 'invalid_clarity_value'],
    [{ contract: SBTC, function: 'get-balance', args: ['zz'] }, 'invalid_clarity_value'],
    [
      { contract: SBTC, function: 'get-balance', args: [`${serializeCV(Cl.uint(1))}00`] },
      'invalid_clarity_value',
    ],
    [{ contract: SBTC, function: 'get-balance', sender: 'nobody' }, 'invalid_sender'],
    [{ contract: SBTC, function: 'get-balance', extra: 1 }, 'invalid_request'],
  ])('%j is a free 400 %s before any 402', async (body, code) => {
    const app = testApp([callReadRoute]);
    const res = await app.post(ROUTE, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code });
    expect(res.headers.get('payment-required')).toBeNull();
  });
});
