/**
 * `/storage/sync`: locks through the paid routes (two payers, each in its own Durable Object), and
 * lock expiry and the alarm through the object's RPC methods, whose `now` the test chooses.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { expectFreeRejection, ledgerRows, type TestApp, testApp } from './support/app';
import { payFor } from './support/paid-request';
import { OTHER, OTHER_KEY, PAYER, PAYER_KEY, TESTNET } from './support/payments';

const TOKEN = /^[0-9a-f]{32}$/;
const HOUR = 3_600_000;

/** A paid call as payer A (PAYER) or B (OTHER), each with its next nonce. */
function client(app: TestApp) {
  const nonces = { A: 0n, B: 0n };
  return async (path: string, body?: unknown, as: 'A' | 'B' = 'A') => {
    const nonce = nonces[as];
    nonces[as] += 1n;
    return payFor(app, path, {
      body,
      payment: { senderKey: as === 'A' ? PAYER_KEY : OTHER_KEY, nonce },
    });
  };
}

const storeOf = (payer: string) => payerStore(env, TESTNET, payer);

async function rows(stub: DurableObjectStub<PayerStore>) {
  return runInDurableObject(stub, (_instance: PayerStore, state) =>
    state.storage.sql.exec('SELECT name, expires_at FROM _x402_locks ORDER BY name').toArray(),
  );
}

const alarmOf = (stub: DurableObjectStub<PayerStore>) =>
  runInDurableObject(stub, (_instance: PayerStore, state) => state.storage.getAlarm());

// Tests in this file share storage: every test starts with no locks for either payer.
beforeEach(async () => {
  for (const payer of [PAYER, OTHER]) {
    await runInDurableObject(storeOf(payer), (_instance: PayerStore, state) => {
      state.storage.sql.exec('DELETE FROM _x402_locks');
    });
  }
});

describe('POST /storage/sync/lock', () => {
  it('gives a free lock a token and tells a second caller when it frees', async () => {
    const app = testApp();
    const call = client(app);
    const before = Date.now();
    const res = await call('/storage/sync/lock', { name: 'report', ttl: 30 });
    expect(res.status).toBe(200);
    const taken = await res.json<{ acquired: boolean; token: string; expiresAt: string }>();
    expect(Object.keys(taken).sort()).toEqual(['acquired', 'expiresAt', 'name', 'token']);
    expect(taken).toMatchObject({ acquired: true, name: 'report' });
    expect(taken.token).toMatch(TOKEN);
    const expiresAt = Date.parse(taken.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30_000);

    const again = await call('/storage/sync/lock', { name: 'report', ttl: 60 });
    expect(await again.json()).toEqual({
      acquired: false,
      name: 'report',
      expiresAt: taken.expiresAt,
    });
    expect(app.settler.settled).toHaveLength(2);
    expect(await rows(storeOf(PAYER))).toEqual([{ name: 'report', expires_at: expiresAt }]);
  });

  it('refuses bad names and TTLs before the 402', async () => {
    const app = testApp();
    for (const name of ['', '..', '.hidden', 'a/b', 'x'.repeat(129)]) {
      const res = await app.post('/storage/sync/lock', { name, ttl: 30 });
      await expectFreeRejection(app, res, 'invalid_name');
    }
    for (const ttl of [0, 3601, 1.5, '30']) {
      const res = await app.post('/storage/sync/lock', { name: 'ok', ttl });
      await expectFreeRejection(app, res, 'invalid_request');
    }
    const extra = await app.post('/storage/sync/lock', { name: 'ok', ttl: 30, wait: true });
    await expectFreeRejection(app, extra, 'invalid_request');
    const longest = await app.post('/storage/sync/lock', { name: 'x'.repeat(128), ttl: 3600 });
    expect(longest.status).toBe(402);
  });

  it('refuses a lock beyond the quota with 409 quota_exceeded, charging nothing', async () => {
    const { maxLocksPerPayer } = STORAGE_LIMITS.sync;
    const far = Date.now() + HOUR;
    await runInDurableObject(storeOf(PAYER), (_instance: PayerStore, state) => {
      for (let i = 0; i < maxLocksPerPayer; i++) {
        state.storage.sql.exec(
          'INSERT INTO _x402_locks (name, token, expires_at) VALUES (?, ?, ?)',
          `held-${i}`,
          'ab'.repeat(16),
          far,
        );
      }
    });
    const app = testApp();
    const call = client(app);
    const res = await call('/storage/sync/lock', { name: 'one-more', ttl: 30 });
    expect(res.status).toBe(409);
    expect(res.headers.get('payment-response')).toBeNull();
    expect(await res.json()).toEqual({
      code: 'quota_exceeded',
      message: `You hold ${maxLocksPerPayer} locks, the most one payer may hold at once; unlock some or let them expire before taking "one-more". Nothing was charged.`,
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);

    // A held name is an answer, not a new lock; and B's quota is its own.
    const held = await call('/storage/sync/lock', { name: 'held-0', ttl: 30 });
    expect(await held.json()).toEqual({
      acquired: false,
      name: 'held-0',
      expiresAt: new Date(far).toISOString(),
    });
    const other = await call('/storage/sync/lock', { name: 'one-more', ttl: 30 }, 'B');
    expect(await other.json()).toMatchObject({ acquired: true, name: 'one-more' });
  });
});

describe('POST /storage/sync/unlock and /storage/sync/extend', () => {
  it('release with the token only; a wrong token is 409 and a free lock 404, uncharged', async () => {
    const app = testApp();
    const call = client(app);
    const { token } = await (await call('/storage/sync/lock', { name: 'db', ttl: 60 })).json<{
      token: string;
    }>();
    const wrong = await call('/storage/sync/unlock', { name: 'db', token: '0'.repeat(32) });
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toEqual({
      code: 'lock_token_mismatch',
      message:
        'The lock "db" is held under another token; only the holder of its token can release or extend it. Nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(1);

    const released = await call('/storage/sync/unlock', { name: 'db', token });
    expect(released.status).toBe(200);
    expect(await released.json()).toEqual({ released: true });
    expect(await rows(storeOf(PAYER))).toEqual([]);

    const twice = await call('/storage/sync/unlock', { name: 'db', token });
    expect(twice.status).toBe(404);
    expect(await twice.json()).toEqual({
      code: 'lock_not_held',
      message:
        'No lock named "db" is held: it was never taken, was released or has expired; take it again with POST /storage/sync/lock. Nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(2);
  });

  it('extend sets a new expiry from now; wrong token and free locks are refused', async () => {
    const app = testApp();
    const call = client(app);
    const taken = await (await call('/storage/sync/lock', { name: 'lease', ttl: 5 })).json<{
      token: string;
      expiresAt: string;
    }>();
    const before = Date.now();
    const res = await call('/storage/sync/extend', { name: 'lease', token: taken.token, ttl: 600 });
    expect(res.status).toBe(200);
    const extended = await res.json<{ name: string; expiresAt: string }>();
    expect(extended.name).toBe('lease');
    expect(Date.parse(extended.expiresAt)).toBeGreaterThanOrEqual(before + 600_000);
    expect(Date.parse(extended.expiresAt)).toBeLessThanOrEqual(Date.now() + 600_000);
    const status = await call('/storage/sync/status/lease');
    expect(await status.json()).toEqual({
      name: 'lease',
      held: true,
      expiresAt: extended.expiresAt,
    });

    const wrong = await call('/storage/sync/extend', {
      name: 'lease',
      token: 'f'.repeat(32),
      ttl: 60,
    });
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { code: string }).code).toBe('lock_token_mismatch');
    const free = await call('/storage/sync/extend', { name: 'nope', token: taken.token, ttl: 60 });
    expect(free.status).toBe(404);
    expect(((await free.json()) as { code: string }).code).toBe('lock_not_held');
    expect(app.settler.settled).toHaveLength(3);

    const unpaid = testApp();
    const badToken = await unpaid.post('/storage/sync/extend', {
      name: 'lease',
      token: 'XYZ',
      ttl: 5,
    });
    await expectFreeRejection(unpaid, badToken, 'invalid_request');
  });
});

describe('GET /storage/sync/status/{name} and /storage/sync/list', () => {
  it('show held locks (never their tokens), by name', async () => {
    const app = testApp();
    const call = client(app);
    const b = await (await call('/storage/sync/lock', { name: 'b:2', ttl: 60 })).json<{
      token: string;
      expiresAt: string;
    }>();
    const a = await (await call('/storage/sync/lock', { name: 'a.1', ttl: 120 })).json<{
      expiresAt: string;
    }>();

    const status = await call('/storage/sync/status/b:2');
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ name: 'b:2', held: true, expiresAt: b.expiresAt });
    const free = await call('/storage/sync/status/c');
    expect(await free.json()).toEqual({ name: 'c', held: false, expiresAt: null });

    const list = await call('/storage/sync/list');
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      locks: [
        { name: 'a.1', expiresAt: a.expiresAt },
        { name: 'b:2', expiresAt: b.expiresAt },
      ],
    });

    await call('/storage/sync/unlock', { name: 'b:2', token: b.token });
    expect(await (await call('/storage/sync/status/b:2')).json()).toEqual({
      name: 'b:2',
      held: false,
      expiresAt: null,
    });
    expect(await (await call('/storage/sync/list')).json()).toEqual({
      locks: [{ name: 'a.1', expiresAt: a.expiresAt }],
    });

    const unpaid = testApp();
    const bad = await unpaid.request('/storage/sync/status/-x');
    await expectFreeRejection(unpaid, bad, 'invalid_name');
  });
});

describe("one payer's locks are invisible to another", () => {
  it("B cannot see, release or extend A's lock, and takes the same name as its own", async () => {
    const app = testApp();
    const call = client(app);
    const a = await (await call('/storage/sync/lock', { name: 'shared', ttl: 60 })).json<{
      token: string;
      expiresAt: string;
    }>();

    expect(await (await call('/storage/sync/status/shared', undefined, 'B')).json()).toEqual({
      name: 'shared',
      held: false,
      expiresAt: null,
    });
    expect(await (await call('/storage/sync/list', undefined, 'B')).json()).toEqual({ locks: [] });
    const unlock = await call('/storage/sync/unlock', { name: 'shared', token: a.token }, 'B');
    expect(unlock.status).toBe(404);
    const extend = await call(
      '/storage/sync/extend',
      { name: 'shared', token: a.token, ttl: 600 },
      'B',
    );
    expect(extend.status).toBe(404);

    const b = await (await call('/storage/sync/lock', { name: 'shared', ttl: 10 }, 'B')).json<{
      acquired: boolean;
      token: string;
    }>();
    expect(b.acquired).toBe(true);
    expect(b.token).not.toBe(a.token);
    const crossed = await call('/storage/sync/unlock', { name: 'shared', token: b.token });
    expect(crossed.status).toBe(409);

    // A's lock is untouched.
    expect(await (await call('/storage/sync/status/shared')).json()).toEqual({
      name: 'shared',
      held: true,
      expiresAt: a.expiresAt,
    });
    expect((await call('/storage/sync/unlock', { name: 'shared', token: a.token })).status).toBe(
      200,
    );
    expect(await (await call('/storage/sync/status/shared', undefined, 'B')).json()).toMatchObject({
      held: true,
    });
  });
});

describe('lock expiry (the Durable Object, with a chosen clock)', () => {
  it('an expired lock is free: not held, not listed, not releasable, and can be taken again', async () => {
    const stub = storeOf('clock-expiry');
    const t = Date.now() + HOUR;
    const taken = await stub.acquireLock('job', 10, t);
    expect(taken).toMatchObject({ type: 'acquired', name: 'job', expiresAt: t + 10_000 });
    if (taken.type !== 'acquired') throw new Error('not acquired');

    expect(await stub.lockStatus('job', t + 9_999)).toEqual({
      name: 'job',
      held: true,
      expiresAt: t + 10_000,
    });
    expect(await stub.acquireLock('job', 10, t + 9_999)).toEqual({
      type: 'busy',
      name: 'job',
      expiresAt: t + 10_000,
    });
    expect(await stub.lockStatus('job', t + 10_000)).toEqual({
      name: 'job',
      held: false,
      expiresAt: null,
    });
    expect(await stub.listLocks(t + 10_000)).toEqual([]);
    expect(await stub.releaseLock('job', taken.token, t + 10_000)).toEqual({
      type: 'refused',
      code: 'lock_not_held',
      name: 'job',
    });
    expect(await stub.extendLock('job', taken.token, 60, t + 10_000)).toEqual({
      type: 'refused',
      code: 'lock_not_held',
      name: 'job',
    });

    const again = await stub.acquireLock('job', 5, t + 10_000);
    expect(again).toMatchObject({ type: 'acquired', expiresAt: t + 15_000 });
    if (again.type !== 'acquired') throw new Error('not acquired');
    expect(again.token).not.toBe(taken.token);
    expect(await rows(stub)).toEqual([{ name: 'job', expires_at: t + 15_000 }]);
  });

  it('extend replaces the time left rather than adding to it', async () => {
    const stub = storeOf('clock-extend');
    const t = Date.now() + HOUR;
    const taken = await stub.acquireLock('job', 10, t);
    if (taken.type !== 'acquired') throw new Error('not acquired');
    expect(await stub.extendLock('job', taken.token, 10, t + 5_000)).toEqual({
      type: 'extended',
      name: 'job',
      expiresAt: t + 15_000,
    });
    expect((await stub.lockStatus('job', t + 14_999)).held).toBe(true);
    expect((await stub.lockStatus('job', t + 15_000)).held).toBe(false);
  });

  it('the alarm is set at the earliest expiry, deletes expired rows and is set for the next', async () => {
    const stub = storeOf('clock-alarm');
    const now = Date.now();
    const late = await stub.acquireLock('late', 3600, now);
    expect(await alarmOf(stub)).toBe(now + 3_600_000);
    await stub.acquireLock('soon', 60, now);
    expect(await alarmOf(stub)).toBe(now + 60_000);
    await stub.acquireLock('middle', 600, now);
    expect(await alarmOf(stub)).toBe(now + 60_000);
    expect(late.type).toBe('acquired');

    // A row that expired ten seconds ago (written as a lazy read would leave it).
    await runInDurableObject(stub, (_instance: PayerStore, state) => {
      state.storage.sql.exec(
        'INSERT INTO _x402_locks (name, token, expires_at) VALUES (?, ?, ?)',
        'expired',
        'cd'.repeat(16),
        now - 10_000,
      );
    });
    expect(await stub.lockStatus('expired', now)).toEqual({
      name: 'expired',
      held: false,
      expiresAt: null,
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await rows(stub)).toEqual([
      { name: 'late', expires_at: now + 3_600_000 },
      { name: 'middle', expires_at: now + 600_000 },
      { name: 'soon', expires_at: now + 60_000 },
    ]);
    expect(await alarmOf(stub)).toBe(now + 60_000);
  });

  it('the alarm leaves no alarm behind once no lock is held', async () => {
    const stub = storeOf('clock-alarm-empty');
    const past = Date.now() - 5_000;
    await stub.acquireLock('gone', 1, past);
    await runDurableObjectAlarm(stub);
    expect(await rows(stub)).toEqual([]);
    expect(await alarmOf(stub)).toBeNull();
  });
});

describe('OpenAPI', () => {
  it('documents the five lock routes with their schemas and refusals', () => {
    const { app } = testApp();
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    for (const path of ['lock', 'unlock', 'extend']) {
      expect(Object.keys(doc.paths?.[`/storage/sync/${path}`] ?? {})).toEqual(['post']);
    }
    expect(Object.keys(doc.paths?.['/storage/sync/status/{name}'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths?.['/storage/sync/list'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'LockRequest',
        'LockResponse',
        'UnlockRequest',
        'UnlockResponse',
        'ExtendLockRequest',
        'ExtendLockResponse',
        'LockStatus',
        'LockList',
      ]),
    );
    expect(Object.keys(doc.paths?.['/storage/sync/unlock']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '402', '404', '409']),
    );
    expect(Object.keys(doc.paths?.['/storage/sync/lock']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '402', '409']),
    );
  });
});
