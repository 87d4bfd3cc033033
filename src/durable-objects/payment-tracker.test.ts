import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimPayment, getHistory, getPayment, transition } from '../payment/ledger';
import { nextCheckAt, type PaymentTracker, startTracking } from './payment-tracker';

const TXID = 'ab'.repeat(32);
const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';

async function broadcastPayment(paymentId: string) {
  await claimPayment(env.DB, {
    paymentId,
    txid: TXID,
    network: 'stacks:2147483648',
    payer: PAYER,
    nonce: 5n,
    route: 'POST /hashing/sha256',
    token: 'STX',
    asset: 'STX',
    amount: 1000n,
    price: 1000n,
    payTo: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
    order: 'authorization',
    delivery: 'mempool',
    requestHash: 'h',
  });
  await transition(env.DB, paymentId, 'broadcasting');
  await transition(env.DB, paymentId, 'mempool');
}

/** Answers the Stacks API calls the tracker makes, from a script. */
function stacksApi(answers: Record<string, () => Response>) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const answer = answers[url.pathname];
    return answer ? answer() : new Response('not found', { status: 404 });
  });
}

afterEach(() => vi.restoreAllMocks());

describe('the PaymentTracker Durable Object', () => {
  it('keeps its job in durable storage, with an alarm, and ignores a second track()', async () => {
    const paymentId = `pay_${'1'.repeat(32)}`;
    const job = {
      paymentId,
      txid: TXID,
      payer: PAYER,
      nonce: '5',
      network: 'stacks:2147483648',
      deadline: Date.now() + 60_000,
    };
    await startTracking(env, job);
    await startTracking(env, { ...job, txid: 'cd'.repeat(32) });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    expect(await stub.job()).toEqual({ ...job, attempt: 0 });
    const alarm = await runInDurableObject(stub, (_instance: PaymentTracker, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBeTypeOf('number');
  });

  it('follows the payment on its alarms until it is confirmed, then stops', async () => {
    const paymentId = `pay_${'2'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await startTracking(env, {
      paymentId,
      txid: TXID,
      payer: PAYER,
      nonce: '5',
      network: 'stacks:2147483648',
      deadline: Date.now() + 60_000,
    });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));

    let status = 'pending';
    const spy = stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: () =>
        Response.json({
          tx_id: `0x${TXID}`,
          tx_status: status,
          ...(status === 'success' ? { block_height: 99 } : {}),
        }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.job()).toMatchObject({ attempt: 1 });
    expect((await getPayment(env.DB, paymentId))?.status).toBe('mempool');

    status = 'success';
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'confirmed',
      block_height: 99,
    });
    expect((await getHistory(env.DB, paymentId)).map((e) => e.status)).toEqual([
      'queued',
      'broadcasting',
      'mempool',
      'confirmed',
    ]);
    // Terminal: the job and its alarm are gone.
    expect(await stub.job()).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(spy).toHaveBeenCalledWith(
      `http://127.0.0.1:3999/extended/v1/tx/0x${TXID}`,
      expect.anything(),
    );
  });

  it('gives up at the deadline instead of polling forever', async () => {
    const paymentId = `pay_${'3'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await startTracking(env, {
      paymentId,
      txid: TXID,
      payer: PAYER,
      nonce: '5',
      network: 'stacks:2147483648',
      deadline: Date.now() - 1,
    });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    stacksApi({
      [`/extended/v1/address/${PAYER}/nonces`]: () =>
        Response.json({ last_executed_tx_nonce: 4, possible_next_nonce: 6 }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'not_found',
      terminal_reason: 'not seen on chain before the tracking deadline',
    });
    expect(await stub.job()).toBeNull();
  });

  it('backs off 1 s, 2 s, 4 s ... up to 30 s, and never schedules past the deadline', () => {
    const now = 1_000_000;
    const far = now + 3_600_000;
    expect([0, 1, 2, 3, 4, 5, 9].map((attempt) => nextCheckAt(attempt, now, far) - now)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(nextCheckAt(5, now, now + 10_000) - now).toBe(10_000);
    expect(nextCheckAt(5, now, now - 5) - now).toBe(1000);
  });
});
