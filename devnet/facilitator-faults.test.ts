/**
 * Fault injection on the facilitator's `/settle`, over real HTTP: it hangs (the caller's timeout
 * fires), answers a 5xx, refuses with an armed `errorReason` or a mapped node reason, or answers
 * late. Nothing is admitted unless the fault says so.
 */
import { describe, expect, it } from 'vitest';
import {
  account,
  devnetForTests,
  devnetRequirements,
  facilitatorBody,
  getJson,
  postJson,
  stxTransfer,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0, clearFaultsAfterEach: true });

const NETWORK = 'stacks:2147483648';
const payTo = () => account(devnet, 'wallet_8').address;
const lookup = async (txid: string) => (await getJson(devnet, `/extended/v1/tx/0x${txid}`)).body;
const lookupStatus = async (txid: string) =>
  (await getJson(devnet, `/extended/v1/tx/0x${txid}`)).status;

describe('POST /settle with a fault armed', () => {
  const payer = () => account(devnet, 'wallet_7');
  const payment = async (amount: bigint) => {
    const tx = await stxTransfer(payer(), payTo(), { amount, fee: 300n, nonce: 0n });
    return { tx, body: facilitatorBody(tx, devnetRequirements('STX', amount, payTo())) };
  };
  const arm = (fault: Record<string, unknown>) => postJson(devnet, '/devnet/faults', fault);

  it('hangs: the caller’s timeout fires and nothing is admitted', async () => {
    expect((await arm({ kind: 'hang-broadcast' })).status).toBe(200);
    const { tx, body } = await payment(1n);
    const hung = fetch(`${devnet.url}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    expect(await lookupStatus(tx.txid())).toBe(404);
  });

  it('answers an HTTP 5xx that is not a SettlementResponse, admitting nothing', async () => {
    expect((await arm({ kind: 'broadcast-http-error', status: 502 })).status).toBe(200);
    const { tx, body } = await payment(2n);
    expect(await postJson(devnet, '/settle', body)).toEqual({
      status: 502,
      body: 'devnet fault injection: HTTP 502',
    });
    expect(await lookupStatus(tx.txid())).toBe(404);
  });

  it('refuses a valid payment with the armed errorReason, or a node reason it maps', async () => {
    expect(
      (await arm({ kind: 'reject-settle', errorReason: 'unexpected_settle_error' })).body,
    ).toEqual({
      broadcast: [],
      settle: [{ kind: 'reject-settle', errorReason: 'unexpected_settle_error', times: 1 }],
      held: {},
      aborting: [],
    });
    const first = await payment(3n);
    const refusal = (txid: string, errorReason: string) => ({
      status: 200,
      body: {
        success: false,
        errorReason,
        payer: payer().address,
        transaction: `0x${txid}`,
        network: NETWORK,
      },
    });
    expect(await postJson(devnet, '/settle', first.body)).toEqual(
      refusal(first.tx.txid(), 'unexpected_settle_error'),
    );
    expect((await arm({ kind: 'reject-broadcast', reason: 'TooMuchChaining' })).status).toBe(200);
    const second = await payment(4n);
    expect(await postJson(devnet, '/settle', second.body)).toEqual(
      refusal(second.tx.txid(), 'broadcast_failed'),
    );
    expect(await lookupStatus(first.tx.txid())).toBe(404);
    expect(await lookupStatus(second.tx.txid())).toBe(404);
    expect((await arm({ kind: 'reject-settle' })).status).toBe(400);
  });

  it('answers late but settles (delay-broadcast)', async () => {
    expect((await arm({ kind: 'delay-broadcast', ms: 250 })).status).toBe(200);
    const { tx, body } = await payment(5n);
    const started = Date.now();
    expect((await postJson(devnet, '/settle', body)).body).toMatchObject({ success: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await lookup(tx.txid())).tx_status).toBe('pending');
  });
});
