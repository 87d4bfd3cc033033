/**
 * `/storage/paste` in workerd with real KV and the owner's Durable Object: unguessable ids, public
 * and private pastes, deletes by the owner only, one 404 for everything a caller may not see, the
 * limits before the 402, the owner's quota, and expiry.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { storedKvKey } from '../../src/routes/storage/kv-keys';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { ledgerRows, type TestApp, testApp } from './support/app';
import { TESTNET } from './support/payments';
import { ADDRESS, type Payer, paid, paidJson, unpaid } from './support/storage-requests';

const { kvQuota } = STORAGE_LIMITS;

function inStore<T>(as: Payer, run: (sql: SqlStorage, state: DurableObjectState) => T) {
  return runInDurableObject(payerStore(env, TESTNET, ADDRESS[as]), (_i: PayerStore, state) =>
    run(state.storage.sql, state),
  );
}

beforeEach(async () => {
  for (const as of ['A', 'B'] as const) {
    await inStore(as, (sql) => {
      sql.exec('DELETE FROM _x402_kv_usage');
      sql.exec('DELETE FROM _x402_kv_reservations');
    });
  }
});

const NOT_FOUND = {
  code: 'not_found',
  message:
    'No paste with this id is visible to you (it may have expired or been deleted); nothing was charged.',
};
const MISSING_ID = '0123456789abcdef0123456789abcdef';

interface Created {
  id: string;
  url: string;
  visibility: string;
  expiresAt: string | null;
}

const create = (app: TestApp, body: Record<string, unknown>, as: Payer = 'A') =>
  paidJson<Created>(app, '/storage/paste', { body, as });

/** A 404 with exactly the not-found body, and nothing charged for it. */
async function expectNotFound(app: TestApp, res: Response, settledBefore: number) {
  expect({ status: res.status, body: await res.json() }).toEqual({ status: 404, body: NOT_FOUND });
  expect(app.settler.settled).toHaveLength(settledBefore);
}

describe('POST /storage/paste and GET /storage/paste/{id}', () => {
  it('a public paste: a 128-bit id, its URL, and anyone who pays reads it', async () => {
    const app = testApp();
    const created = await create(app, {
      content: 'console.log("hello");\n',
      title: 'hello.js',
      language: 'javascript',
      visibility: 'public',
    });
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created).toEqual({
      id: created.id,
      url: `http://api.test/storage/paste/${created.id}`,
      visibility: 'public',
      expiresAt: null,
    });
    const byOwner = await paidJson<Record<string, unknown>>(app, `/storage/paste/${created.id}`);
    const expected = {
      id: created.id,
      content: 'console.log("hello");\n',
      title: 'hello.js',
      language: 'javascript',
      visibility: 'public',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: null,
    };
    expect(byOwner).toEqual(expected);
    expect(await paidJson(app, `/storage/paste/${created.id}`, { as: 'B' })).toEqual(byOwner);
    expect((await ledgerRows()).map((row) => [row.route, row.settle_order])).toEqual([
      ['POST /storage/paste', 'upfront'],
      ['GET /storage/paste/{id}', 'authorization'],
      ['GET /storage/paste/{id}', 'authorization'],
    ]);
  });

  it('draws a new id for every paste', async () => {
    const app = testApp();
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++)
      ids.add((await create(app, { content: 'same', visibility: 'public' })).id);
    expect(ids.size).toBe(4);
  });

  it('a private paste is read by its owner; anyone else gets the 404 of a missing id', async () => {
    const app = testApp();
    const { id } = await create(app, { content: 'secret', visibility: 'private' });
    expect(await paidJson(app, `/storage/paste/${id}`)).toMatchObject({
      content: 'secret',
      visibility: 'private',
      title: null,
      language: null,
    });
    const settled = app.settler.settled.length;
    await expectNotFound(app, await paid(app, `/storage/paste/${id}`, { as: 'B' }), settled);
    await expectNotFound(
      app,
      await paid(app, `/storage/paste/${MISSING_ID}`, { as: 'B' }),
      settled,
    );
    await expectNotFound(app, await paid(app, `/storage/paste/${MISSING_ID}`), settled);
  });
});

describe('DELETE /storage/paste/{id}', () => {
  it('the owner deletes it; then it reads as missing', async () => {
    const app = testApp();
    const { id } = await create(app, { content: 'short-lived', visibility: 'public' });
    expect(await paidJson(app, `/storage/paste/${id}`, { method: 'DELETE' })).toEqual({
      id,
      deleted: true,
    });
    const settled = app.settler.settled.length;
    await expectNotFound(app, await paid(app, `/storage/paste/${id}`), settled);
    await expectNotFound(
      app,
      await paid(app, `/storage/paste/${id}`, { method: 'DELETE' }),
      settled,
    );
    expect(await inStore('A', (sql) => sql.exec('SELECT * FROM _x402_kv_usage').toArray())).toEqual(
      [],
    );
  });

  it('someone else’s delete (public or private) is the 404 of a missing id, refused before settlement', async () => {
    const app = testApp();
    const pub = await create(app, { content: 'public text', visibility: 'public' });
    const priv = await create(app, { content: 'private text', visibility: 'private' });
    const settled = app.settler.settled.length;
    for (const id of [pub.id, priv.id, MISSING_ID]) {
      await expectNotFound(
        app,
        await paid(app, `/storage/paste/${id}`, { as: 'B', method: 'DELETE' }),
        settled,
      );
    }
    expect((await ledgerRows()).map((row) => row.route)).toEqual([
      'POST /storage/paste',
      'POST /storage/paste',
    ]);
    expect(await paidJson(app, `/storage/paste/${pub.id}`, { as: 'B' })).toMatchObject({
      content: 'public text',
    });
    expect(await paidJson(app, `/storage/paste/${priv.id}`)).toMatchObject({
      content: 'private text',
    });
  });
});

describe('paste limits, refused before the 402', () => {
  const paste = (body: Record<string, unknown>) => ({
    content: 'c',
    visibility: 'public',
    ...body,
  });
  const cases: [string, Record<string, unknown>, 400 | 413, string][] = [
    ['content over 64 KiB', paste({ content: 'é'.repeat(32_769) }), 413, 'content_too_large'],
    ['empty content', paste({ content: '' }), 400, 'invalid_content'],
    ['a 201-byte title', paste({ title: 't'.repeat(201) }), 400, 'title_too_long'],
    ['a language with a space', paste({ language: 'type script' }), 400, 'invalid_language'],
    ['a 33-character language', paste({ language: 'l'.repeat(33) }), 400, 'invalid_language'],
    ['a ttl under 60 s', paste({ ttl: 30 }), 400, 'ttl_too_short'],
    ['a ttl over 30 days', paste({ ttl: 30 * 86_400 + 1 }), 400, 'ttl_too_long'],
    ['no visibility', { content: 'c' }, 400, 'invalid_request'],
    ['an unknown visibility', paste({ visibility: 'unlisted' }), 400, 'invalid_request'],
  ];
  for (const [what, body, status, code] of cases) {
    it(`POST: ${what} is ${status} ${code}`, async () => {
      const app = testApp();
      const res = await unpaid(app, '/storage/paste', { body });
      expect(res.headers.get('payment-required')).toBeNull();
      expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
        status,
        code,
      });
      expect(app.settler.settled).toHaveLength(0);
    });
  }

  for (const method of ['GET', 'DELETE'] as const) {
    it(`${method}: an id that is not 32 lower-case hex digits is 400 invalid_paste_id`, async () => {
      const app = testApp();
      const res = await unpaid(app, '/storage/paste/0123456789ABCDEF0123456789ABCDEF', { method });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_paste_id' });
      expect(app.settler.settled).toHaveLength(0);
    });
  }
});

describe('pastes in the owner’s quota', () => {
  it('counts content, title and language under paste:{id}, with no reservation left', async () => {
    const app = testApp();
    const { id } = await create(app, {
      content: 'abcd',
      title: 'tt',
      language: 'go',
      visibility: 'private',
    });
    expect(
      await inStore('A', (sql) => ({
        usage: sql.exec('SELECT key, bytes, expires_at FROM _x402_kv_usage').toArray(),
        reservations: sql.exec('SELECT * FROM _x402_kv_reservations').toArray(),
      })),
    ).toEqual({ usage: [{ key: `paste:${id}`, bytes: 8, expires_at: null }], reservations: [] });
  });

  it('a paste past the quota is a 409 before settlement: nothing charged, no ledger row', async () => {
    const app = testApp();
    await inStore('A', (sql) =>
      sql.exec(
        'INSERT INTO _x402_kv_usage (key, bytes) VALUES (?, ?)',
        storedKvKey({ network: TESTNET, payer: ADDRESS.A }, 'filler'),
        kvQuota.bytes - 3,
      ),
    );
    const res = await paid(app, '/storage/paste', {
      body: { content: 'four', visibility: 'public' },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      code: 'quota_exceeded',
      quota: 'bytes',
      usage: { entries: 1, bytes: kvQuota.bytes - 3 },
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    // Another payer's quota is its own.
    expect(await create(app, { content: 'four', visibility: 'public' }, 'B')).toMatchObject({
      visibility: 'public',
    });
  });
});

describe('paste expiry', () => {
  it('stores the expiry in KV and in the owner’s Durable Object, with the alarm set for it', async () => {
    const app = testApp();
    const before = Date.now();
    const { id, expiresAt } = await create(app, {
      content: 'ephemeral',
      visibility: 'public',
      ttl: 3600,
    });
    const at = Date.parse(expiresAt ?? '');
    expect(at % 1000).toBe(0);
    expect(at).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3_601_000);
    const listed = await env.KV.list({ prefix: `paste:${id}` });
    expect(listed.keys.map((k) => k.expiration)).toEqual([at / 1000]);
    expect(
      await inStore('A', async (sql, state) => ({
        row: sql.exec('SELECT expires_at FROM _x402_kv_usage').toArray(),
        alarm: await state.storage.getAlarm(),
      })),
    ).toEqual({ row: [{ expires_at: at }], alarm: at });
    expect(await paidJson(app, `/storage/paste/${id}`, { as: 'B' })).toMatchObject({ expiresAt });
  });

  it('a paste past its stored expiry is the 404 of a missing id, even if KV still has it', async () => {
    const app = testApp();
    const id = 'fedcba9876543210fedcba9876543210';
    await env.KV.put(
      `paste:${id}`,
      JSON.stringify({
        content: 'stale',
        title: null,
        language: null,
        visibility: 'public',
        owner: { network: TESTNET, payer: ADDRESS.A },
        createdAt: Date.now() - 120_000,
        expiresAt: Date.now() - 1000,
      }),
    );
    await expectNotFound(app, await paid(app, `/storage/paste/${id}`), 0);
  });
});
