/**
 * `/storage/kv` in workerd with real KV, D1 and the payer's Durable Object: every route, KV's
 * limits refused before the 402, the quota refused before settlement, two payers that never see
 * each other's keys, and expiry (stored, swept by the alarm, never returned).
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { kvUsage, reserveKv } from '../../src/durable-objects/payer-store/quota';
import { LONGEST_KV_KEY_PREFIX, storedKvKey, utf8Length } from '../../src/routes/storage/kv-keys';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { ledgerRows, type TestApp, testApp } from './support/app';
import { PAYER, TESTNET } from './support/payments';
import { ADDRESS, type Payer, paid, paidJson, unpaid } from './support/storage-requests';

const { kv, kvQuota } = STORAGE_LIMITS;
const stub = (as: Payer = 'A') => payerStore(env, TESTNET, ADDRESS[as]);
const stored = (key: string, as: Payer = 'A') =>
  storedKvKey({ network: TESTNET, payer: ADDRESS[as] }, key);
const path = (key: string) => `/storage/kv/${encodeURIComponent(key)}`;

function inStore<T>(as: Payer, run: (sql: SqlStorage, state: DurableObjectState) => T) {
  return runInDurableObject(stub(as), (_instance: PayerStore, state) =>
    run(state.storage.sql, state),
  );
}

const usageRow = (key: string, as: Payer = 'A') =>
  inStore(as, (sql) =>
    sql.exec('SELECT key, bytes, expires_at FROM _x402_kv_usage WHERE key = ?', key).toArray(),
  );

beforeEach(async () => {
  for (const as of ['A', 'B'] as const) {
    await inStore(as, (sql) => {
      sql.exec('DELETE FROM _x402_kv_usage');
      sql.exec('DELETE FROM _x402_kv_reservations');
    });
  }
});

/** Refused before the 402: the status, code, the "nothing was charged" sentence, nothing settled. */
async function expectRefusedFree(app: TestApp, res: Response, status: 400 | 413, code: string) {
  expect(res.headers.get('payment-required')).toBeNull();
  const json = (await res.json()) as { code: string; message: string };
  expect({ status: res.status, code: json.code }).toEqual({ status, code });
  expect(json.message).toMatch(/^The request is invalid \(nothing was charged\): /);
  expect(app.settler.settled).toHaveLength(0);
}

describe('POST /storage/kv and GET /storage/kv/{key}', () => {
  it('creates, then updates (created: false), and reads back value and metadata', async () => {
    const app = testApp();
    const first = await paidJson(app, '/storage/kv', {
      body: { key: 'settings/theme', value: '{"theme":"dark"}', metadata: { v: 1 } },
    });
    expect(first).toEqual({ key: 'settings/theme', created: true, size: 16, expiresAt: null });
    const second = await paidJson(app, '/storage/kv', {
      body: { key: 'settings/theme', value: 'ünïcode' },
    });
    expect(second).toEqual({ key: 'settings/theme', created: false, size: 9, expiresAt: null });

    // A / in the key is %2F in the path.
    expect(await paidJson(app, '/storage/kv/settings%2Ftheme')).toEqual({
      key: 'settings/theme',
      value: 'ünïcode',
      metadata: null,
      expiresAt: null,
    });
    expect(app.settler.settled).toHaveLength(3);
    const routes = (await ledgerRows()).map((row) => [row.route, row.settle_order, row.status]);
    expect(routes).toEqual([
      ['POST /storage/kv', 'upfront', 'mempool'],
      ['POST /storage/kv', 'upfront', 'mempool'],
      ['GET /storage/kv/{key}', 'authorization', 'mempool'],
    ]);
    // Counted once, with the size of the last write (key + value, no metadata now).
    expect(await usageRow(stored('settings/theme'))).toEqual([
      { key: stored('settings/theme'), bytes: 14 + 9, expires_at: null },
    ]);
  });

  it('keeps the metadata as sent and stores the entry under the payer prefix', async () => {
    const app = testApp();
    const metadata = { contentType: 'text/plain', tags: ['a', 'b'], n: 1.5 };
    await paidJson(app, '/storage/kv', { body: { key: 'with-meta', value: 'x', metadata } });
    expect(await paidJson(app, path('with-meta'))).toEqual({
      key: 'with-meta',
      value: 'x',
      metadata,
      expiresAt: null,
    });
    const raw = await env.KV.getWithMetadata(`kv:${TESTNET}:${PAYER}:with-meta`, 'json');
    expect(raw).toMatchObject({ value: { value: 'x', expiresAt: null }, metadata });
  });

  it('a missing key is a 404 not_found, not charged', async () => {
    const app = testApp();
    const res = await paid(app, path('never-written'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'not_found',
      message:
        'No value is stored under this key (it may have expired or been deleted); nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
  });

  it('accepts a key of exactly the allowed length, whose stored form fits in 512 bytes', async () => {
    const app = testApp();
    const key = 'k'.repeat(kv.keyBytes);
    expect(await paidJson(app, '/storage/kv', { body: { key, value: 'v' } })).toMatchObject({
      created: true,
    });
    expect(utf8Length(stored(key))).toBeLessThanOrEqual(512);
    expect(await env.KV.get(stored(key))).not.toBeNull();
  });
});

describe('KV limits, refused before the 402', () => {
  it('allows 449-byte keys: 512 less the longest prefix (testnet id, 41-character address)', () => {
    expect(LONGEST_KV_KEY_PREFIX).toBe(`kv:stacks:2147483648:${'S'.repeat(41)}:`);
    expect(kv.storedKeyBytes - utf8Length(LONGEST_KV_KEY_PREFIX)).toBe(kv.keyBytes);
    expect(kv.keyBytes).toBe(449);
  });

  const write = (body: Record<string, unknown>) => ({ key: 'limits', value: 'v', ...body });
  const cases: [string, Record<string, unknown>, 400 | 413, string][] = [
    ['an empty key', write({ key: '' }), 400, 'invalid_key'],
    ['a 450-byte key', write({ key: 'k'.repeat(450) }), 400, 'key_too_long'],
    ['a key of 225 two-byte characters', write({ key: 'é'.repeat(225) }), 400, 'key_too_long'],
    ['a value over 64 KiB', write({ value: 'v'.repeat(65_537) }), 413, 'value_too_large'],
    [
      'metadata over 1024 bytes of JSON',
      write({ metadata: { m: 'm'.repeat(1017) } }),
      413,
      'metadata_too_large',
    ],
    ['a ttl under 60 s', write({ ttl: 59 }), 400, 'ttl_too_short'],
    ['a ttl over 30 days', write({ ttl: 30 * 86_400 + 1 }), 400, 'ttl_too_long'],
    ['a fractional ttl', write({ ttl: 60.5 }), 400, 'invalid_ttl'],
    ['an unknown field', write({ expires: 60 }), 400, 'invalid_request'],
  ];
  for (const [what, body, status, code] of cases) {
    it(`POST: ${what} is ${status} ${code}`, async () => {
      const app = testApp();
      await expectRefusedFree(app, await unpaid(app, '/storage/kv', { body }), status, code);
    });
  }

  it('POST: metadata of exactly 1024 bytes and a value of exactly 64 KiB are accepted', async () => {
    const app = testApp();
    const metadata = { m: 'm'.repeat(1016) };
    expect(utf8Length(JSON.stringify(metadata))).toBe(1024);
    const body = { key: 'at-limits', value: 'v'.repeat(65_536), metadata };
    expect(await paidJson(app, '/storage/kv', { body })).toMatchObject({ size: 65_536 });
  });

  const reads: [string, string, string][] = [
    ['GET', path('k'.repeat(450)), 'key_too_long'],
    ['DELETE', path('é'.repeat(225)), 'key_too_long'],
    ['GET', '/storage/kv?limit=0', 'invalid_limit'],
    ['GET', '/storage/kv?limit=1001', 'invalid_limit'],
    ['GET', '/storage/kv?limit=ten', 'invalid_limit'],
    ['GET', `/storage/kv?prefix=${'p'.repeat(450)}`, 'prefix_too_long'],
  ];
  for (const [method, url, code] of reads) {
    it(`${method} ${url.slice(0, 40)}… is 400 ${code}`, async () => {
      const app = testApp();
      const res = await unpaid(app, url, { method: method as 'GET' | 'DELETE' });
      await expectRefusedFree(app, res, 400, code);
    });
  }
});

describe('DELETE /storage/kv/{key}', () => {
  it('deletes (then the key reads 404); deleting a missing key is a 404 refused before settlement', async () => {
    const app = testApp();
    await paidJson(app, '/storage/kv', { body: { key: 'doomed', value: 'bye' } });
    expect(await paidJson(app, path('doomed'), { method: 'DELETE' })).toEqual({
      key: 'doomed',
      deleted: true,
    });
    expect(await usageRow(stored('doomed'))).toEqual([]);
    expect((await paid(app, path('doomed'))).status).toBe(404);
    expect(app.settler.settled).toHaveLength(2);

    const again = await paid(app, path('doomed'), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({
      code: 'not_found',
      message:
        'No value is stored under this key (it may have expired or been deleted); nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(2);
    expect((await ledgerRows()).map((row) => row.route)).toEqual([
      'POST /storage/kv',
      'DELETE /storage/kv/{key}',
    ]);
  });
});

describe('GET /storage/kv (list)', () => {
  it('pages 5 keys 2 at a time: 3 pages with KV cursors, prefix stripped, others left out', async () => {
    const app = testApp();
    for (const n of [1, 2, 3, 4, 5]) {
      await paidJson(app, '/storage/kv', {
        body: { key: `page/${n}`, value: `v${n}`, metadata: { n } },
      });
    }
    await paidJson(app, '/storage/kv', { body: { key: 'pagination-not', value: 'x' } });

    type Page = { keys: { key: string; metadata: unknown }[]; cursor: string | null };
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `prefix=page%2F&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: Page = await paidJson(app, `/storage/kv?${query}`);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor !== null && pages.length < 5);

    expect(pages).toHaveLength(3);
    expect(pages.map((p) => p.keys.map((k) => k.key))).toEqual([
      ['page/1', 'page/2'],
      ['page/3', 'page/4'],
      ['page/5'],
    ]);
    expect(pages.map((p) => [typeof p.cursor, (p as { complete?: boolean }).complete])).toEqual([
      ['string', false],
      ['string', false],
      ['object', true],
    ]);
    expect(pages[0]?.keys[0]).toEqual({ key: 'page/1', expiresAt: null, metadata: { n: 1 } });
  });

  it('lists 100 keys per page by default and never shows the payer prefix', async () => {
    const app = testApp();
    await paidJson(app, '/storage/kv', { body: { key: 'solo-listed', value: 'x' } });
    const page = await paidJson<{ keys: { key: string }[]; complete: boolean }>(
      app,
      '/storage/kv?prefix=solo-',
    );
    expect(page).toEqual({
      keys: [{ key: 'solo-listed', expiresAt: null, metadata: null }],
      cursor: null,
      complete: true,
    });
    const everything = await paidJson<{ keys: { key: string }[] }>(app, '/storage/kv');
    expect(everything.keys.length).toBeGreaterThan(0);
    expect(everything.keys.length).toBeLessThanOrEqual(kv.listDefault);
    expect(everything.keys.some((k) => k.key.includes(PAYER))).toBe(false);
  });
});

describe('two payers, the same key names', () => {
  it('B can neither read, list, change nor delete A’s keys', async () => {
    const app = testApp();
    await paidJson(app, '/storage/kv', { body: { key: 'iso/shared', value: 'from A' }, as: 'A' });
    await paidJson(app, '/storage/kv', { body: { key: 'iso/only-a', value: 'A only' }, as: 'A' });

    // B's read and delete of A's key: 404, not charged.
    expect((await paid(app, path('iso/only-a'), { as: 'B' })).status).toBe(404);
    expect((await paid(app, path('iso/only-a'), { as: 'B', method: 'DELETE' })).status).toBe(404);
    // B's write of the same name creates B's own key; A's is untouched.
    expect(
      await paidJson(app, '/storage/kv', { body: { key: 'iso/shared', value: 'from B' }, as: 'B' }),
    ).toMatchObject({ created: true });
    expect(await paidJson(app, path('iso/shared'), { as: 'A' })).toMatchObject({ value: 'from A' });
    expect(await paidJson(app, path('iso/shared'), { as: 'B' })).toMatchObject({ value: 'from B' });
    expect(await paidJson(app, path('iso/only-a'), { as: 'A' })).toMatchObject({ value: 'A only' });
    // B's list shows B's key only; A's shows A's two.
    const listOf = async (as: Payer) =>
      (
        await paidJson<{ keys: { key: string }[] }>(app, '/storage/kv?prefix=iso%2F', { as })
      ).keys.map((k) => k.key);
    expect(await listOf('B')).toEqual(['iso/shared']);
    expect(await listOf('A')).toEqual(['iso/only-a', 'iso/shared']);
    // B deletes its own key; A's of the same name stays.
    await paidJson(app, path('iso/shared'), { as: 'B', method: 'DELETE' });
    expect(await paidJson(app, path('iso/shared'), { as: 'A' })).toMatchObject({ value: 'from A' });
  });
});

describe('the KV quota, counted in the payer’s Durable Object', () => {
  it('a write past the byte quota is a 409 before settlement: nothing charged, no ledger row', async () => {
    const app = testApp();
    await inStore('A', (sql) =>
      sql.exec(
        'INSERT INTO _x402_kv_usage (key, bytes, expires_at) VALUES (?, ?, NULL)',
        stored('filler'),
        kvQuota.bytes - 10,
      ),
    );
    const res = await paid(app, '/storage/kv', { body: { key: 'big', value: 'x'.repeat(8) } });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      code: 'quota_exceeded',
      message: `This write would take your KV storage past ${kvQuota.bytes} bytes (you use ${kvQuota.bytes - 10}); delete something first (nothing was charged).`,
      quota: 'bytes',
      usage: { entries: 1, bytes: kvQuota.bytes - 10 },
      limits: { entries: kvQuota.entries, bytes: kvQuota.bytes },
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    // 3 + 7 = 10 bytes still fit.
    expect(
      await paidJson(app, '/storage/kv', { body: { key: 'big', value: 'x'.repeat(7) } }),
    ).toMatchObject({ created: true });
  });

  it('a new key past the entry quota is refused; replacing a key the payer has is not', async () => {
    const app = testApp();
    await paidJson(app, '/storage/kv', { body: { key: 'kept', value: 'v1' } });
    await inStore('A', (sql) => {
      for (let i = 1; i < kvQuota.entries; i++) {
        sql.exec('INSERT INTO _x402_kv_usage (key, bytes) VALUES (?, 1)', stored(`fill-${i}`));
      }
    });
    const refused = await paid(app, '/storage/kv', { body: { key: 'one-more', value: 'v' } });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      code: 'quota_exceeded',
      quota: 'entries',
      usage: { entries: kvQuota.entries },
      message: `You keep ${kvQuota.entries} KV entries and pastes, the most allowed is ${kvQuota.entries}; delete one first (nothing was charged).`,
    });
    expect(app.settler.settled).toHaveLength(1);
    expect(
      await paidJson(app, '/storage/kv', { body: { key: 'kept', value: 'v2' } }),
    ).toMatchObject({ created: false });
    // Deleting frees an entry.
    await paidJson(app, path('kept'), { method: 'DELETE' });
    expect(
      await paidJson(app, '/storage/kv', { body: { key: 'one-more', value: 'v' } }),
    ).toMatchObject({ created: true });
  });

  it('a reservation whose settlement was refused stops counting when its lease ends', async () => {
    await inStore('A', (sql) => {
      const now = 1_000_000;
      const write = { reservation: 'pay_1', key: stored('r'), bytes: 100, expiresAt: null };
      expect(reserveKv(sql, now, write)).toEqual({
        type: 'reserved',
        heldUntil: now + kvQuota.reservationLeaseMs,
      });
      expect(kvUsage(sql, now + 1)).toEqual({ entries: 1, bytes: 100 });
      expect(kvUsage(sql, now + kvQuota.reservationLeaseMs)).toEqual({ entries: 0, bytes: 0 });
    });
  });

  it('a settlement refused after the precheck leaves no usage, only a reservation', async () => {
    const app = testApp();
    app.settler.answer({ type: 'rejected', code: 'transaction_failed', detail: 'refused' });
    const res = await paid(app, '/storage/kv', { body: { key: 'unpaid', value: 'v' } });
    expect(res.status).toBe(402);
    expect(await usageRow(stored('unpaid'))).toEqual([]);
    const reservations = await inStore('A', (sql) =>
      sql.exec('SELECT key, bytes FROM _x402_kv_reservations').toArray(),
    );
    expect(reservations).toEqual([{ key: stored('unpaid'), bytes: 7 }]);
  });
});

describe('expiry', () => {
  it('stores the expiry in KV, the answer and the Durable Object, whose alarm is set for it', async () => {
    const app = testApp();
    const before = Date.now();
    const { expiresAt } = await paidJson<{ expiresAt: string }>(app, '/storage/kv', {
      body: { key: 'ttl/short', value: 'v', ttl: 60 },
    });
    const at = Date.parse(expiresAt);
    expect(at % 1000).toBe(0);
    expect(at).toBeGreaterThanOrEqual(before + 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 61_000);

    const listed = await env.KV.list({ prefix: stored('ttl/short') });
    expect(listed.keys.map((k) => k.expiration)).toEqual([at / 1000]);
    expect(await usageRow(stored('ttl/short'))).toEqual([
      { key: stored('ttl/short'), bytes: 10, expires_at: at },
    ]);
    expect(await inStore('A', (_sql, state) => state.storage.getAlarm())).toBe(at);
    expect(await paidJson(app, path('ttl/short'))).toMatchObject({ expiresAt });
    expect(await paidJson(app, '/storage/kv?prefix=ttl%2F')).toMatchObject({
      keys: [{ key: 'ttl/short', expiresAt, metadata: null }],
    });
  });

  it('the alarm removes expired entries from the quota (not only lazily)', async () => {
    const app = testApp();
    await paidJson(app, '/storage/kv', { body: { key: 'ttl/swept', value: 'v', ttl: 60 } });
    await paidJson(app, '/storage/kv', { body: { key: 'ttl/later', value: 'v', ttl: 120 } });
    const later = (await usageRow(stored('ttl/later')))[0]?.expires_at;
    await inStore('A', (sql) =>
      sql.exec(
        'UPDATE _x402_kv_usage SET expires_at = ? WHERE key = ?',
        Date.now() - 1,
        stored('ttl/swept'),
      ),
    );
    expect(await runDurableObjectAlarm(stub('A'))).toBe(true);
    expect(await usageRow(stored('ttl/swept'))).toEqual([]);
    expect(await inStore('A', (sql) => kvUsage(sql, Date.now()))).toEqual({
      entries: 1,
      bytes: 9 + 1,
    });
    // The alarm is set again for the next expiry.
    expect(await inStore('A', (_sql, state) => state.storage.getAlarm())).toBe(later);
    // What the Durable Object no longer holds cannot be deleted (and is not charged).
    expect((await paid(app, path('ttl/swept'), { method: 'DELETE' })).status).toBe(404);
  });

  it('a value past its stored expiry is never returned, even if KV still has it', async () => {
    const app = testApp();
    await env.KV.put(
      stored('ttl/stale'),
      JSON.stringify({ value: 'stale', expiresAt: Date.now() - 1000 }),
    );
    const res = await paid(app, path('ttl/stale'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
    expect(app.settler.settled).toHaveLength(0);
  });
});

describe('OpenAPI', () => {
  it('documents the four KV routes with their schemas', () => {
    const { app } = testApp();
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths?.['/storage/kv'] ?? {})).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths?.['/storage/kv/{key}'] ?? {})).toEqual(['get', 'delete']);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'KvWriteRequest',
        'KvWriteResponse',
        'KvValue',
        'KvDeleteResponse',
        'KvList',
        'KvMetadata',
        'QuotaExceeded',
      ]),
    );
    expect(Object.keys(doc.paths?.['/storage/kv']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '402', '409', '413']),
    );
  });
});
