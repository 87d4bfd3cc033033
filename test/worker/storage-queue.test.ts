/**
 * `/storage/queue`: queues through the paid routes (two payers, each in its own Durable Object),
 * and delays, visibility timeouts, attempts and the alarm through the object's RPC methods, whose
 * `now` the test chooses.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { expectFreeRejection, ledgerRows, type TestApp, testApp } from './support/app';
import { payFor } from './support/paid-request';
import { OTHER, OTHER_KEY, PAYER, PAYER_KEY, TESTNET } from './support/payments';

const HOUR = 3_600_000;
const ID = /^[0-9a-f]{32}$/;
const limits = STORAGE_LIMITS.queue;

interface Item {
  id: string;
  data: unknown;
  attempts: number;
  priority: number;
}

/** A paid call as payer A (PAYER) or B (OTHER), each with its next nonce; its JSON and status. */
function client(app: TestApp) {
  const nonces = { A: 0n, B: 0n };
  return async <T = Record<string, unknown>>(path: string, body?: unknown, as: 'A' | 'B' = 'A') => {
    const nonce = nonces[as];
    nonces[as] += 1n;
    const res = await payFor(app, path, {
      body,
      payment: { senderKey: as === 'A' ? PAYER_KEY : OTHER_KEY, nonce },
    });
    return { status: res.status, body: await res.json<T>() };
  };
}

const storeOf = (payer: string) => payerStore(env, TESTNET, payer);

/** The stored rows of a queue, as the alarm left them (no read applies deadlines first). */
async function states(stub: DurableObjectStub<PayerStore>, queue: string) {
  return runInDurableObject(stub, (_instance: PayerStore, state) =>
    state.storage.sql
      .exec('SELECT id, state, attempts FROM _x402_queue_items WHERE queue = ? ORDER BY seq', queue)
      .toArray(),
  );
}

const alarmOf = (stub: DurableObjectStub<PayerStore>) =>
  runInDurableObject(stub, (_instance: PayerStore, state) => state.storage.getAlarm());

// Tests in this file share storage: every test starts with no queues for either payer.
beforeEach(async () => {
  for (const payer of [PAYER, OTHER]) {
    await runInDurableObject(storeOf(payer), (_instance: PayerStore, state) => {
      state.storage.sql.exec('DELETE FROM _x402_queue_items');
      state.storage.sql.exec('DELETE FROM _x402_queues');
    });
  }
});

describe('push, peek and pop', () => {
  it('pops by priority, then in push order, and counts an attempt per pop', async () => {
    const app = testApp();
    const call = client(app);
    const first = await call<{ queue: string; ids: string[]; pending: number }>(
      '/storage/queue/push',
      { queue: 'jobs', items: ['a', { b: [1, 2] }] },
    );
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      queue: 'jobs',
      ids: [expect.any(String), expect.any(String)],
      pending: 2,
    });
    for (const id of first.body.ids) expect(id).toMatch(ID);
    expect(
      (await call('/storage/queue/push', { queue: 'jobs', items: ['urgent'], priority: 5 })).body,
    ).toMatchObject({ pending: 3 });
    expect(
      (await call('/storage/queue/push', { queue: 'jobs', items: [null], priority: 0 })).body,
    ).toMatchObject({ pending: 4 });
    expect(
      (await call('/storage/queue/push', { queue: 'jobs', items: ['low'], priority: -1 })).body,
    ).toMatchObject({ pending: 5 });

    const peek = await call<{ items: Item[] }>('/storage/queue/peek?queue=jobs&count=2');
    expect(peek.status).toBe(200);
    expect(peek.body.items).toEqual([
      { id: expect.any(String), data: 'urgent', attempts: 0, priority: 5 },
      { id: first.body.ids[0], data: 'a', attempts: 0, priority: 0 },
    ]);

    const popped = await call<{ items: Item[] }>('/storage/queue/pop', {
      queue: 'jobs',
      count: 10,
      visibilityTimeout: 60,
    });
    expect(popped.status).toBe(200);
    expect(popped.body.items).toEqual([
      { id: peek.body.items[0]?.id, data: 'urgent', attempts: 1, priority: 5 },
      { id: first.body.ids[0], data: 'a', attempts: 1, priority: 0 },
      { id: first.body.ids[1], data: { b: [1, 2] }, attempts: 1, priority: 0 },
      { id: expect.any(String), data: null, attempts: 1, priority: 0 },
      { id: expect.any(String), data: 'low', attempts: 1, priority: -1 },
    ]);
    expect((await call('/storage/queue/pop', { queue: 'jobs' })).body).toEqual({ items: [] });
    expect((await call('/storage/queue/status?queue=jobs')).body).toEqual({
      queue: 'jobs',
      pending: 0,
      inFlight: 5,
      done: 0,
      dead: 0,
    });
  });

  it('keeps delayed items pending but invisible', async () => {
    const app = testApp();
    const call = client(app);
    await call('/storage/queue/push', { queue: 'later', items: ['x'], delaySeconds: 60 });
    expect((await call('/storage/queue/peek?queue=later')).body).toEqual({ items: [] });
    expect((await call('/storage/queue/pop', { queue: 'later' })).body).toEqual({ items: [] });
    expect((await call('/storage/queue/status?queue=later')).body).toEqual({
      queue: 'later',
      pending: 1,
      inFlight: 0,
      done: 0,
      dead: 0,
    });
  });
});

describe('ack, nack, status and clear', () => {
  it('ack marks in-flight items done; nack returns them; clear deletes the queue', async () => {
    const app = testApp();
    const call = client(app);
    const { ids } = (
      await call<{ ids: string[] }>('/storage/queue/push', { queue: 'q', items: [1, 2, 3, 4] })
    ).body;
    const [one, two, three, four] = ids as [string, string, string, string];

    // Only in-flight items of this queue are acked: pending, unknown and repeated ids are skipped.
    await call('/storage/queue/pop', { queue: 'q', count: 2 });
    expect(
      (
        await call('/storage/queue/ack', {
          queue: 'q',
          ids: [one, two, two, three, 'f'.repeat(32)],
        })
      ).body,
    ).toEqual({ acked: 2 });
    expect((await call('/storage/queue/ack', { queue: 'q', ids: [one] })).body).toEqual({
      acked: 0,
    });

    const popped = await call<{ items: Item[] }>('/storage/queue/pop', { queue: 'q' });
    expect(popped.body.items).toEqual([{ id: three, data: 3, attempts: 1, priority: 0 }]);
    expect((await call('/storage/queue/nack', { queue: 'q', ids: [three, four] })).body).toEqual({
      nacked: 1,
      dead: 0,
    });
    expect(
      (await call<{ items: Item[] }>('/storage/queue/peek?queue=q&count=5')).body.items,
    ).toEqual([
      { id: three, data: 3, attempts: 1, priority: 0 },
      { id: four, data: 4, attempts: 0, priority: 0 },
    ]);
    await call('/storage/queue/pop', { queue: 'q' });
    expect((await call('/storage/queue/status?queue=q')).body).toEqual({
      queue: 'q',
      pending: 1,
      inFlight: 1,
      done: 2,
      dead: 0,
    });

    expect((await call('/storage/queue/clear', { queue: 'q' })).body).toEqual({ cleared: 2 });
    expect((await call('/storage/queue/status?queue=q')).body).toEqual({
      queue: 'q',
      pending: 0,
      inFlight: 0,
      done: 0,
      dead: 0,
    });
    expect((await call('/storage/queue/clear', { queue: 'q' })).body).toEqual({ cleared: 0 });
    expect(app.settler.settled).toHaveLength(12);
  });
});

describe('limits and quotas', () => {
  it('refuses oversized pushes with 413 and bad fields with 400, before the 402', async () => {
    const app = testApp();
    const big = 'x'.repeat(limits.itemBytes - 1); // 2 quotes make it one byte too many
    const tooLarge = await app.post('/storage/queue/push', { queue: 'q', items: [1, big] });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({
      code: 'item_too_large',
      message: `The request is invalid (nothing was charged): items.1: an item is at most ${limits.itemBytes} bytes of JSON; this one is ${limits.itemBytes + 1}.`,
    });
    const fits = await app.post('/storage/queue/push', { queue: 'q', items: [big.slice(1)] });
    expect(fits.status).toBe(402);

    const many = await app.post('/storage/queue/push', {
      queue: 'q',
      items: Array.from({ length: limits.maxItemsPerPush + 1 }, (_, i) => i),
    });
    expect(many.status).toBe(413);
    expect(((await many.json()) as { code: string }).code).toBe('push_too_large');
    expect(app.settler.settled).toHaveLength(0);

    const refusals: [string, unknown, string][] = [
      ['/storage/queue/push', { queue: '../q', items: [1] }, 'invalid_name'],
      ['/storage/queue/push', { queue: 'q', items: [] }, 'invalid_request'],
      ['/storage/queue/push', { queue: 'q', items: [1], priority: 1001 }, 'invalid_request'],
      ['/storage/queue/push', { queue: 'q', items: [1], delaySeconds: -1 }, 'invalid_request'],
      ['/storage/queue/pop', { queue: 'q', count: 0 }, 'invalid_request'],
      ['/storage/queue/pop', { queue: 'q', count: 101 }, 'invalid_request'],
      ['/storage/queue/pop', { queue: 'q', visibilityTimeout: 0 }, 'invalid_request'],
      ['/storage/queue/ack', { queue: 'q', ids: [] }, 'invalid_request'],
      ['/storage/queue/ack', { queue: 'q', ids: ['nope'] }, 'invalid_request'],
      [
        '/storage/queue/nack',
        { queue: 'q', ids: ['a'.repeat(32)], delaySeconds: 1.5 },
        'invalid_request',
      ],
      ['/storage/queue/clear', { queue: '' }, 'invalid_name'],
    ];
    for (const [path, body, code] of refusals) {
      await expectFreeRejection(app, await app.post(path, body), code);
    }
    await expectFreeRejection(
      app,
      await app.request('/storage/queue/peek?queue=q&count=x'),
      'invalid_request',
    );
    await expectFreeRejection(app, await app.request('/storage/queue/status'), 'invalid_request');
  });

  it('refuses a new queue beyond the queue quota with 409, charging nothing', async () => {
    await runInDurableObject(storeOf(PAYER), (_instance: PayerStore, state) => {
      for (let i = 0; i < limits.maxQueuesPerPayer; i++) {
        state.storage.sql.exec(
          'INSERT INTO _x402_queues (name, created_at) VALUES (?, 0)',
          `q${i}`,
        );
      }
    });
    const app = testApp();
    const call = client(app);
    const refused = await call('/storage/queue/push', { queue: 'new', items: [1] });
    expect(refused).toEqual({
      status: 409,
      body: {
        code: 'quota_exceeded',
        message: `You have ${limits.maxQueuesPerPayer} queues, the most one payer may have; clear one before pushing to a new queue. Nothing was charged.`,
      },
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    expect((await call('/storage/queue/push', { queue: 'q7', items: [1] })).status).toBe(200);
    expect((await call('/storage/queue/push', { queue: 'new', items: [1] }, 'B')).status).toBe(200);
  });

  it('refuses items beyond the payer item quota with 409, charging nothing', async () => {
    const room = 1;
    await runInDurableObject(storeOf(PAYER), (_instance: PayerStore, state) => {
      state.storage.sql.exec(`INSERT INTO _x402_queues (name, created_at) VALUES ('full', 0)`);
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO _x402_queue_items (id, queue, data, priority, state, visible_at, created_at)
         SELECT printf('%032x', i), 'full', '0', 0, 'dead', 0, 0 FROM n`,
        limits.maxItemsPerPayer - room,
      );
    });
    const app = testApp();
    const call = client(app);
    const refused = await call('/storage/queue/push', { queue: 'full', items: [1, 2] });
    expect(refused).toEqual({
      status: 409,
      body: {
        code: 'quota_exceeded',
        message: `You keep ${limits.maxItemsPerPayer - room} queue items (pending, in flight and dead) and a payer may keep ${limits.maxItemsPerPayer}; ack, or clear a queue, to make room. Nothing was charged.`,
      },
    });
    expect(app.settler.settled).toHaveLength(0);
    expect((await call('/storage/queue/push', { queue: 'full', items: [1] })).body).toMatchObject({
      pending: 1,
    });
    expect((await call('/storage/queue/push', { queue: 'other', items: [1] })).status).toBe(409);
    expect((await call('/storage/queue/clear', { queue: 'full' })).body).toEqual({
      cleared: limits.maxItemsPerPayer,
    });
    expect((await call('/storage/queue/push', { queue: 'other', items: [1] })).status).toBe(200);
  });
});

describe("one payer's queues are invisible to another", () => {
  it("B cannot see, pop, ack, nack or clear A's queue of the same name", async () => {
    const app = testApp();
    const call = client(app);
    const { ids } = (
      await call<{ ids: string[] }>('/storage/queue/push', { queue: 'shared', items: ['a', 'b'] })
    ).body;
    await call('/storage/queue/pop', { queue: 'shared' });

    const zeros = { queue: 'shared', pending: 0, inFlight: 0, done: 0, dead: 0 };
    expect((await call('/storage/queue/status?queue=shared', undefined, 'B')).body).toEqual(zeros);
    expect((await call('/storage/queue/peek?queue=shared', undefined, 'B')).body).toEqual({
      items: [],
    });
    expect((await call('/storage/queue/pop', { queue: 'shared' }, 'B')).body).toEqual({
      items: [],
    });
    expect((await call('/storage/queue/ack', { queue: 'shared', ids }, 'B')).body).toEqual({
      acked: 0,
    });
    expect((await call('/storage/queue/nack', { queue: 'shared', ids }, 'B')).body).toEqual({
      nacked: 0,
      dead: 0,
    });
    expect((await call('/storage/queue/clear', { queue: 'shared' }, 'B')).body).toEqual({
      cleared: 0,
    });

    expect((await call('/storage/queue/status?queue=shared')).body).toEqual({
      ...zeros,
      pending: 1,
      inFlight: 1,
    });
    expect((await call('/storage/queue/ack', { queue: 'shared', ids })).body).toEqual({ acked: 1 });
  });
});

describe('time (the Durable Object, with a chosen clock)', () => {
  it('a delayed item becomes visible when due', async () => {
    const stub = storeOf('queue-clock-delay');
    const t = Date.now() + HOUR;
    await stub.pushQueueItems({ queue: 'd', items: ['"x"'], priority: 0, delaySeconds: 60 }, t);
    expect(await stub.popQueueItems('d', 1, 30, t + 59_999)).toEqual([]);
    expect(await stub.popQueueItems('d', 1, 30, t + 60_000)).toEqual([
      { id: expect.stringMatching(ID), data: '"x"', attempts: 1, priority: 0 },
    ]);
  });

  it('an item not acked returns when its visibility timeout passes, and dies after the last attempt', async () => {
    const stub = storeOf('queue-clock-timeout');
    const t = Date.now() + HOUR;
    const pushed = await stub.pushQueueItems(
      { queue: 'v', items: ['1'], priority: 0, delaySeconds: 0 },
      t,
    );
    expect(pushed).toMatchObject({ type: 'pushed', pending: 1 });
    let now = t;
    for (let attempt = 1; attempt <= limits.maxAttempts; attempt++) {
      expect(await stub.popQueueItems('v', 1, 30, now)).toMatchObject([{ attempts: attempt }]);
      expect(await stub.queueStatus('v', now + 29_999)).toEqual({
        queue: 'v',
        pending: 0,
        inFlight: 1,
        done: 0,
        dead: 0,
      });
      now += 30_000;
      const last = attempt === limits.maxAttempts;
      expect(await stub.queueStatus('v', now)).toEqual({
        queue: 'v',
        pending: last ? 0 : 1,
        inFlight: 0,
        done: 0,
        dead: last ? 1 : 0,
      });
    }
    expect(await stub.popQueueItems('v', 1, 30, now)).toEqual([]);
    expect(await stub.peekQueueItems('v', 1, now)).toEqual([]);
  });

  it('nack returns an item after its delay, and kills it once attempts are exhausted', async () => {
    const stub = storeOf('queue-clock-nack');
    const t = Date.now() + HOUR;
    const pushed = await stub.pushQueueItems(
      { queue: 'n', items: ['1'], priority: 0, delaySeconds: 0 },
      t,
    );
    if (pushed.type !== 'pushed') throw new Error('not pushed');
    const [id] = pushed.ids as [string];
    let now = t;
    for (let attempt = 1; attempt < limits.maxAttempts; attempt++) {
      await stub.popQueueItems('n', 1, 30, now);
      expect(await stub.nackQueueItems('n', [id], 10, now)).toEqual({ nacked: 1, dead: 0 });
      expect(await stub.peekQueueItems('n', 1, now + 9_999)).toEqual([]);
      now += 10_000;
      expect(await stub.peekQueueItems('n', 1, now)).toEqual([
        { id, data: '1', attempts: attempt, priority: 0 },
      ]);
    }
    expect(await stub.popQueueItems('n', 1, 30, now)).toMatchObject([
      { id, attempts: limits.maxAttempts },
    ]);
    expect(await stub.nackQueueItems('n', [id], 0, now)).toEqual({ nacked: 0, dead: 1 });
    expect(await stub.queueStatus('n', now)).toEqual({
      queue: 'n',
      pending: 0,
      inFlight: 0,
      done: 0,
      dead: 1,
    });
    // A dead item can no longer be acked; clear removes it.
    expect(await stub.ackQueueItems('n', [id], now)).toEqual({ acked: 0 });
    expect(await stub.clearQueue('n')).toEqual({ cleared: 1 });
  });

  it('the alarm returns timed-out items without any queue call, and is set for the next deadline', async () => {
    const stub = storeOf('queue-clock-alarm');
    const now = Date.now();
    await stub.pushQueueItems({ queue: 'a', items: ['1', '2'], priority: 0, delaySeconds: 0 }, now);
    const [held] = await stub.popQueueItems('a', 1, 600, now);
    expect(await alarmOf(stub)).toBe(now + 600_000);

    // An item in flight whose deadline passed ten seconds ago.
    const [late] = await runInDurableObject(stub, (_instance: PayerStore, state) =>
      state.storage.sql
        .exec(
          `UPDATE _x402_queue_items SET state = 'in_flight', attempts = 1, visible_at = ?
           WHERE state = 'pending' RETURNING id`,
          now - 10_000,
        )
        .toArray(),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await states(stub, 'a')).toEqual([
      { id: held?.id, state: 'in_flight', attempts: 1 },
      { id: late?.id, state: 'pending', attempts: 1 },
    ]);
    expect(await alarmOf(stub)).toBe(now + 600_000);
  });
});

describe('OpenAPI', () => {
  it('documents the seven queue routes with their schemas', () => {
    const { app } = testApp();
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    for (const path of ['push', 'pop', 'ack', 'nack', 'clear']) {
      expect(Object.keys(doc.paths?.[`/storage/queue/${path}`] ?? {})).toEqual(['post']);
    }
    for (const path of ['peek', 'status']) {
      expect(Object.keys(doc.paths?.[`/storage/queue/${path}`] ?? {})).toEqual(['get']);
    }
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'QueuePushRequest',
        'QueuePushResponse',
        'QueuePopRequest',
        'QueueItems',
        'QueueItem',
        'QueueAckRequest',
        'QueueAckResponse',
        'QueueNackRequest',
        'QueueNackResponse',
        'QueueStatus',
        'QueueClearRequest',
        'QueueClearResponse',
      ]),
    );
    expect(Object.keys(doc.paths?.['/storage/queue/push']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '402', '409', '413']),
    );
  });
});
