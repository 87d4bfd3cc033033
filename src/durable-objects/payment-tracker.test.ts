import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimPayment, getHistory, getPayment, transition } from '../payment/ledger';
import { getPayerFlag } from '../payment/payer-flags';
import {
  MAX_REBROADCASTS,
  nextCheckAt,
  type PaymentTracker,
  startTracking,
} from './payment-tracker';

const TXID = 'ab'.repeat(32);
const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const SPONSOR = 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG';
const OTHER_SPONSOR = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP';
/** The txid the payer of a sponsored payment signed. */
const ORIGIN = 'ef'.repeat(32);

async function broadcastPayment(paymentId: string, until: 'broadcasting' | 'mempool' = 'mempool') {
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
  if (until === 'mempool') await transition(env.DB, paymentId, 'mempool');
}

function job(paymentId: string, deadline = Date.now() + 60_000) {
  return {
    paymentId,
    txid: TXID,
    payer: PAYER,
    nonce: '5',
    network: 'stacks:2147483648',
    deadline,
    transaction: '80800000000400',
  };
}

const nonces = (body: Record<string, unknown>) => () =>
  Response.json({
    last_executed_tx_nonce: 4,
    possible_next_nonce: 6,
    detected_missing_nonces: [],
    ...body,
  });
const pendingTx = () => Response.json({ tx_id: `0x${TXID}`, tx_status: 'pending' });
const missingTx = () =>
  Response.json({ error: 'could not find transaction by ID' }, { status: 404 });

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
    // Past the deadline: the last check is due now (it ends the tracking, see above).
    expect(nextCheckAt(5, now, now - 5) - now).toBe(0);
  });

  it('past the deadline, ends a payment still unmined as not_found, frees its unspent nonce and stops', async () => {
    const paymentId = `pay_${'4'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await env.DB.prepare('UPDATE payments SET delivered_at = 1 WHERE payment_id = ?')
      .bind(paymentId)
      .run();
    await startTracking(env, job(paymentId, Date.now() - 1));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    const spy = stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: pendingTx,
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({}),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'not_found',
      terminal_reason: 'still not mined at the tracking deadline',
      claim_active: 0,
    });
    // It was delivered and will not be paid for: its payer is served on confirmation from now on.
    expect(await getPayerFlag(env.DB, 'stacks:2147483648', PAYER)).toMatchObject({
      paymentId,
      reason: 'not_found: still not mined at the tracking deadline',
    });
    // Stopped: no job, no alarm, and no further reads of the chain.
    expect(await stub.job()).toBeNull();
    const reads = spy.mock.calls.length;
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(spy.mock.calls.length).toBe(reads);
  });

  it('keeps the claim of a payment lost after its nonce was spent on chain', async () => {
    const paymentId = `pay_${'5'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: missingTx,
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({ last_executed_tx_nonce: 5 }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'replaced',
      claim_active: 1,
    });
    expect(await stub.job()).toBeNull();
  });

  it('broadcasts the stored bytes again while the outcome is unknown, and moves on when they land', async () => {
    const paymentId = `pay_${'6'.repeat(32)}`;
    await broadcastPayment(paymentId, 'broadcasting');
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    const broadcasts: string[] = [];
    let nodeUp = false;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/v2/transactions') {
        const bytes = new Uint8Array(await new Response(init?.body).arrayBuffer());
        broadcasts.push(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
        return nodeUp ? Response.json(TXID) : new Response('upstream down', { status: 502 });
      }
      if (url.pathname === `/extended/v1/tx/0x${TXID}`) return missingTx();
      if (url.pathname === `/extended/v1/address/${PAYER}/nonces`) return nonces({})();
      return new Response('not found', { status: 404 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(broadcasts).toEqual(['80800000000400']);
    expect(await stub.job()).toMatchObject({ attempt: 1, rebroadcasts: 1 });
    expect((await getPayment(env.DB, paymentId))?.status).toBe('broadcasting');

    nodeUp = true;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(broadcasts).toEqual(['80800000000400', '80800000000400']);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'mempool',
      claim_active: 1,
    });
    expect((await getHistory(env.DB, paymentId)).map((e) => [e.status, e.reason])).toEqual([
      ['queued', null],
      ['broadcasting', null],
      ['mempool', 'broadcast again by the tracker'],
    ]);
  });

  it(`broadcasts again at most ${MAX_REBROADCASTS} times`, async () => {
    const paymentId = `pay_${'7'.repeat(32)}`;
    await broadcastPayment(paymentId, 'broadcasting');
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let broadcasts = 0;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/v2/transactions') {
        broadcasts += 1;
        return new Response('upstream down', { status: 503 });
      }
      if (url.pathname === `/extended/v1/tx/0x${TXID}`) return missingTx();
      return nonces({})();
    });
    for (let i = 0; i < MAX_REBROADCASTS + 3; i++) await runDurableObjectAlarm(stub);
    expect(broadcasts).toBe(MAX_REBROADCASTS);
    expect(await stub.job()).toMatchObject({ rebroadcasts: MAX_REBROADCASTS });
  });

  it('frees the claim when the node refuses the stored bytes for good', async () => {
    const paymentId = `pay_${'8'.repeat(32)}`;
    await broadcastPayment(paymentId, 'broadcasting');
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/v2/transactions') {
        return Response.json(
          { error: 'transaction rejected', reason: 'NotEnoughFunds', txid: TXID },
          { status: 400 },
        );
      }
      if (url.pathname === `/extended/v1/tx/0x${TXID}`) return missingTx();
      return nonces({})();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'failed',
      claim_active: 0,
      terminal_reason:
        'insufficient_funds: the Stacks node rejected the transaction: NotEnoughFunds',
    });
    expect(await stub.job()).toBeNull();
  });

  it('fails a delivered payment stuck behind a nonce gap for NONCE_GAP_MAX_BLOCKS blocks, and marks its payer', async () => {
    const paymentId = `pay_${'9'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await env.DB.prepare('UPDATE payments SET delivered_at = 1 WHERE payment_id = ?')
      .bind(paymentId)
      .run();
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let tip = 100;
    let gap = true;
    let minedAt: number | undefined;
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: () =>
        minedAt === undefined
          ? pendingTx()
          : Response.json({ tx_id: `0x${TXID}`, tx_status: 'success', block_height: minedAt }),
      // Executed up to 2; 5 pending; 3 and 4 missing.
      [`/extended/v1/address/${PAYER}/nonces`]: () =>
        nonces(
          gap
            ? { last_executed_tx_nonce: 2, detected_missing_nonces: [4, 3] }
            : { last_executed_tx_nonce: 2, detected_missing_nonces: [] },
        )(),
      '/v2/info': () => Response.json({ stacks_tip_height: tip }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.job()).toMatchObject({ gapSinceHeight: 100 });
    // The gap is filled for a while: the count starts again.
    gap = false;
    tip = 104;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.job())?.gapSinceHeight).toBeUndefined();
    gap = true;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.job()).toMatchObject({ gapSinceHeight: 104 });
    tip = 109;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getPayment(env.DB, paymentId))?.status).toBe('mempool');
    tip = 110;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const reason =
      "not mined after 6 blocks behind a gap in the payer's nonces (nonce 3 is missing)";
    // Still pending, so its nonce stays claimed: it may yet be mined.
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'failed',
      terminal_reason: reason,
      claim_active: 1,
    });
    expect(await getPayerFlag(env.DB, 'stacks:2147483648', PAYER)).toMatchObject({
      paymentId,
      reason: `failed: ${reason}`,
    });
    expect(await stub.job()).toMatchObject({ failedBehindGap: true });

    // The payer fills the gap and the transaction is mined after all: the ledger follows the chain.
    minedAt = 111;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'confirmed',
      block_height: 111,
      claim_active: 1,
    });
    expect((await getHistory(env.DB, paymentId)).map((e) => [e.status, e.reason])).toEqual([
      ['queued', null],
      ['broadcasting', null],
      ['mempool', null],
      ['failed', reason],
      ['confirmed', 'mined after all, once the payer filled its nonce gap'],
    ]);
    expect(await stub.job()).toBeNull();
  });

  it('records a payment failed behind a nonce gap as replaced when the chain drops it for another transaction', async () => {
    const paymentId = `pay_${'8'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await env.DB.prepare('UPDATE payments SET delivered_at = 1 WHERE payment_id = ?')
      .bind(paymentId)
      .run();
    await startTracking(env, job(paymentId));
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let tip = 100;
    let dropped = false;
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: () =>
        dropped
          ? Response.json({ tx_id: `0x${TXID}`, tx_status: 'dropped_replace_by_fee' })
          : pendingTx(),
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({
        last_executed_tx_nonce: 2,
        detected_missing_nonces: [4, 3],
      }),
      '/v2/info': () => Response.json({ stacks_tip_height: tip }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    tip = 106;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const reason =
      "not mined after 6 blocks behind a gap in the payer's nonces (nonce 3 is missing)";
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'failed',
      terminal_reason: reason,
    });
    expect(await stub.job()).toMatchObject({ failedBehindGap: true });

    // The payer spends the nonce on another transaction: the chain drops this one as replaced.
    dropped = true;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({ status: 'replaced' });
    expect((await getHistory(env.DB, paymentId)).map((e) => [e.status, e.reason])).toEqual([
      ['queued', null],
      ['broadcasting', null],
      ['mempool', null],
      ['failed', reason],
      ['replaced', 'dropped_replace_by_fee after failing behind its nonce gap'],
    ]);
    expect(await getPayerFlag(env.DB, 'stacks:2147483648', PAYER)).toMatchObject({
      paymentId,
      reason: `failed: ${reason}`,
    });
    expect(await stub.job()).toBeNull();
  });

  it('fails a delivered sponsored payment stuck behind a gap in OUR sponsor nonces as the operator loss, without marking its payer', async () => {
    const paymentId = `pay_${'a'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await env.DB.prepare('UPDATE payments SET delivered_at = 1 WHERE payment_id = ?')
      .bind(paymentId)
      .run();
    await startTracking(env, {
      ...job(paymentId),
      sponsor: { sponsor: SPONSOR, nonce: 7, originTxid: ORIGIN },
    });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let tip = 100;
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: pendingTx,
      // The payer's nonce 5 is next; the sponsor's 7 waits behind its missing 5.
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({}),
      [`/extended/v1/address/${SPONSOR}/nonces`]: () =>
        Response.json({
          last_executed_tx_nonce: 4,
          possible_next_nonce: 8,
          detected_missing_nonces: [5],
        }),
      '/v2/info': () => Response.json({ stacks_tip_height: tip }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.job()).toMatchObject({ gapSinceHeight: 100 });
    tip = 106;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const reason =
      "sponsor_nonce_gap: not mined after 6 blocks behind a gap in our sponsor's nonces (sponsor nonce 5 is missing); the operator's loss, not the payer's";
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'failed',
      terminal_reason: reason,
      operator_loss: '1000',
      claim_active: 1,
    });
    expect(await getPayerFlag(env.DB, 'stacks:2147483648', PAYER)).toBeNull();
    expect(await stub.job()).toMatchObject({ failedBehindGap: true });
  });

  it('leaves an undelivered sponsored payment behind our sponsor gap pending: nothing went out unpaid', async () => {
    const paymentId = `pay_${'d'.repeat(32)}`;
    await broadcastPayment(paymentId);
    await startTracking(env, {
      ...job(paymentId),
      sponsor: { sponsor: SPONSOR, nonce: 7, originTxid: ORIGIN },
    });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let tip = 100;
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: pendingTx,
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({}),
      [`/extended/v1/address/${SPONSOR}/nonces`]: () =>
        Response.json({
          last_executed_tx_nonce: 4,
          possible_next_nonce: 8,
          detected_missing_nonces: [5],
        }),
      '/v2/info': () => Response.json({ stacks_tip_height: tip }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    tip = 120;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'mempool',
      operator_loss: null,
    });
    expect(await stub.job()).toMatchObject({ gapSinceHeight: 100 });
  });

  it('gives a dropped sponsored payment its unused sponsor nonce back to the lease book', async () => {
    const paymentId = `pay_${'b'.repeat(32)}`;
    const store = env.SPONSOR_NONCES.get(env.SPONSOR_NONCES.idFromName(`testnet:${OTHER_SPONSOR}`));
    await store.sync({ lastExecutedNonce: 4, possibleNextNonce: 5, missingNonces: [] });
    expect(await store.allocate(ORIGIN, paymentId)).toEqual({ type: 'allocated', nonce: 5 });
    await store.spend(ORIGIN);
    await broadcastPayment(paymentId);
    await startTracking(env, {
      ...job(paymentId),
      sponsor: { sponsor: OTHER_SPONSOR, nonce: 5, originTxid: ORIGIN },
    });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    stacksApi({
      [`/extended/v1/tx/0x${TXID}`]: () =>
        Response.json({ tx_id: `0x${TXID}`, tx_status: 'dropped_replace_by_fee' }),
      [`/extended/v1/address/${PAYER}/nonces`]: nonces({}),
      [`/extended/v1/address/${OTHER_SPONSOR}/nonces`]: () =>
        Response.json({
          last_executed_tx_nonce: 4,
          possible_next_nonce: 5,
          detected_missing_nonces: [],
        }),
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getPayment(env.DB, paymentId))?.status).toBe('replaced');
    expect(await store.snapshot()).toEqual({ next: 6, free: [5], leases: [] });
    expect(await store.allocate('cd'.repeat(32), 'pay_next')).toEqual({
      type: 'allocated',
      nonce: 5,
    });
  });

  it('never broadcasts the bytes of a payment a facilitator sponsors (they lack the sponsor part)', async () => {
    const paymentId = `pay_${'c'.repeat(32)}`;
    await broadcastPayment(paymentId, 'broadcasting');
    await startTracking(env, { ...job(paymentId), originTxid: TXID, sponsoredBy: 'facilitator' });
    const stub = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(paymentId));
    let broadcasts = 0;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/v2/transactions') broadcasts += 1;
      if (url.pathname === `/extended/v1/tx/0x${TXID}`) return missingTx();
      return nonces({})();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(broadcasts).toBe(0);
    expect(await getPayment(env.DB, paymentId)).toMatchObject({
      status: 'broadcasting',
      claim_active: 1,
    });
  });
});
