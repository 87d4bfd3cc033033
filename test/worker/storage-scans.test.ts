/**
 * Scans of written content (KV values, pastes, memory texts) by the stand-in's Llama Guard, which
 * flags marker words (ai-standin/README.md): the verdict is read with `GET /storage/scans` by the
 * owner only; a failing AI leaves an `error` scan and a successful write; with an execution
 * context the scan runs after the answer (`waitUntil`) and reads `pending` until it ends.
 */
import {
  createExecutionContext,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODERATION_MODEL } from '../../src/ai/models';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { SCAN_PENDING_TIMEOUT_MS } from '../../src/durable-objects/payer-store/scans';
import { BASE, ledgerRows, type TestApp, testApp } from './support/app';
import { type FakeWorkersAi, fakeWorkersAi } from './support/fake-workers-ai';
import { TESTNET } from './support/payments';
import { ADDRESS, type Payer, paid, paidJson } from './support/storage-requests';

const stub = (as: Payer = 'A') => payerStore(env, TESTNET, ADDRESS[as]);

function inStore<T>(as: Payer, run: (sql: SqlStorage) => T) {
  return runInDurableObject(stub(as), (_instance: PayerStore, state) => run(state.storage.sql));
}

const scanPath = (kind: string, id: string) =>
  `/storage/scans?kind=${kind}&id=${encodeURIComponent(id)}`;
const readScan = (app: TestApp, kind: string, id: string, as: Payer = 'A') =>
  paidJson(app, scanPath(kind, id), { as });
const writeKv = (app: TestApp, key: string, value: string, as: Payer = 'A') =>
  paidJson(app, '/storage/kv', { body: { key, value }, as });

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const SAFE = { status: 'safe', flags: [], reason: 'No hazard category applies.', scannedAt: ISO };

let ai: FakeWorkersAi;

beforeEach(async () => {
  ai = fakeWorkersAi();
  for (const as of ['A', 'B'] as const) {
    await inStore(as, (sql) => {
      sql.exec('DELETE FROM _x402_scans');
      sql.exec('DELETE FROM _x402_memory');
      sql.exec('DELETE FROM _x402_kv_usage');
      sql.exec('DELETE FROM _x402_kv_reservations');
    });
  }
});

afterEach(() => ai.restore());

describe('scans of KV values', () => {
  it('a value with marker words reads flagged, with the exact flags and reason', async () => {
    const app = testApp();
    await writeKv(app, 'notes/plan', 'a bomb, then murder!');
    expect(await readScan(app, 'kv', 'notes/plan')).toEqual({
      kind: 'kv',
      id: 'notes/plan',
      status: 'flagged',
      flags: ['violent_crimes', 'indiscriminate_weapons'],
      reason: 'Flagged as unsafe: Violent Crimes (S1), Indiscriminate Weapons (S9).',
      scannedAt: ISO,
    });
    // Llama Guard saw the value as a user message.
    expect(ai.runs).toEqual([
      {
        model: MODERATION_MODEL,
        inputs: { messages: [{ role: 'user', content: 'a bomb, then murder!' }] },
      },
    ]);
    expect((await ledgerRows()).map((row) => [row.route, row.settle_order])).toEqual([
      ['POST /storage/kv', 'upfront'],
      ['GET /storage/scans', 'authorization'],
    ]);
  });

  it('a clean value reads safe; writing the key again replaces the verdict', async () => {
    const app = testApp();
    await writeKv(app, 'killer', 'killer whales hunt seals');
    expect(await readScan(app, 'kv', 'killer')).toEqual({ kind: 'kv', id: 'killer', ...SAFE });
    await writeKv(app, 'killer', 'how to steal a car');
    expect(await readScan(app, 'kv', 'killer')).toMatchObject({
      status: 'flagged',
      flags: ['non_violent_crimes'],
      reason: 'Flagged as unsafe: Non-Violent Crimes (S2).',
    });
    await writeKv(app, 'killer', 'whales again');
    expect(await readScan(app, 'kv', 'killer')).toMatchObject({ status: 'safe', flags: [] });
  });

  it('Workers AI down: the write succeeds, its scan reads error with the reason', async () => {
    const app = testApp();
    ai.faults.arm({ kind: 'http-error', status: 503 });
    expect(await writeKv(app, 'while-down', 'a bomb')).toEqual({
      key: 'while-down',
      created: true,
      size: 6,
      expiresAt: null,
    });
    expect(await paidJson(app, '/storage/kv/while-down')).toMatchObject({ value: 'a bomb' });
    expect(await readScan(app, 'kv', 'while-down')).toEqual({
      kind: 'kv',
      id: 'while-down',
      status: 'error',
      flags: [],
      reason:
        'The scan could not run (ai_unavailable): Workers AI refused @cf/meta/llama-guard-3-8b with HTTP 503: 3043: Internal server error. Write the content again to scan it again.',
      scannedAt: ISO,
    });
    const [write] = await ledgerRows();
    expect(write).toMatchObject({ route: 'POST /storage/kv', owed_amount: null });
  });

  it('another payer cannot read A’s scan (404, never charged), nor with a key of the same name', async () => {
    const app = testApp();
    await writeKv(app, 'private/plan', 'murder', 'A');
    const res = await paid(app, scanPath('kv', 'private/plan'), { as: 'B' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'scan_not_found',
      message:
        'No scan is recorded for this content: it is not yours, it is gone, or its scan has not started yet; nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(1);
    // B's own key of that name has B's own verdict; A's is unchanged.
    await writeKv(app, 'private/plan', 'a quiet plan', 'B');
    expect(await readScan(app, 'kv', 'private/plan', 'B')).toMatchObject({ status: 'safe' });
    expect(await readScan(app, 'kv', 'private/plan', 'A')).toMatchObject({
      status: 'flagged',
      flags: ['violent_crimes'],
    });
  });

  it('the scan of a deleted key is gone with it (404)', async () => {
    const app = testApp();
    await writeKv(app, 'doomed', 'fine words');
    expect(await readScan(app, 'kv', 'doomed')).toMatchObject({ status: 'safe' });
    await paidJson(app, '/storage/kv/doomed', { method: 'DELETE' });
    expect((await paid(app, scanPath('kv', 'doomed'))).status).toBe(404);
    expect(await inStore('A', (sql) => sql.exec('SELECT id FROM _x402_scans').toArray())).toEqual(
      [],
    );
  });
});

describe('scans of pastes and memory texts', () => {
  it('a paste is scanned with its title; only its owner reads the scan, even of a public paste', async () => {
    const app = testApp();
    const { id } = await paidJson<{ id: string }>(app, '/storage/paste', {
      body: { content: 'nothing to see', title: 'a hateful title', visibility: 'public' },
    });
    expect(ai.runs[0]?.inputs).toEqual({
      messages: [{ role: 'user', content: 'a hateful title\n\nnothing to see' }],
    });
    expect(await readScan(app, 'paste', id)).toEqual({
      kind: 'paste',
      id,
      status: 'flagged',
      flags: ['hate'],
      reason: 'Flagged as unsafe: Hate (S10).',
      scannedAt: ISO,
    });
    expect((await paid(app, scanPath('paste', id), { as: 'B' })).status).toBe(404);
  });

  it('each memory text has its own scan; a deleted item’s scan is gone', async () => {
    const app = testApp();
    await paidJson(app, '/storage/memory/store', {
      body: {
        items: [
          { id: 'calm', text: 'the cat sat on the mat' },
          { id: 'dark', text: 'thoughts of suicide' },
        ],
      },
    });
    expect(await readScan(app, 'memory', 'calm')).toEqual({ kind: 'memory', id: 'calm', ...SAFE });
    expect(await readScan(app, 'memory', 'dark')).toMatchObject({
      status: 'flagged',
      flags: ['suicide_self_harm'],
      reason: 'Flagged as unsafe: Suicide & Self-Harm (S11).',
    });
    await paidJson(app, '/storage/memory/delete', { body: { ids: ['dark'] } });
    expect((await paid(app, scanPath('memory', 'dark'))).status).toBe(404);
    expect(await readScan(app, 'memory', 'calm')).toMatchObject({ status: 'safe' });
  });
});

describe('the scan runs after the answer', () => {
  it('with an execution context the write answers first; the scan reads pending, then safe', async () => {
    const app = testApp();
    const ctx = createExecutionContext();
    // The same app, with the Workers execution context a deployed request has.
    const deployed: TestApp = {
      ...app,
      request: (path, init = {}) => app.app.request(`${BASE}${path}`, init, env, ctx),
    };
    ai.faults.arm({ kind: 'delay', ms: 400 });
    const started = Date.now();
    await writeKv(deployed, 'slow-scan', 'plain words');
    expect(Date.now() - started).toBeLessThan(400);
    // The scan has begun (Llama Guard was asked) but not finished.
    await expect.poll(() => ai.runs.length).toBe(1);
    expect(await readScan(app, 'kv', 'slow-scan')).toEqual({
      kind: 'kv',
      id: 'slow-scan',
      status: 'pending',
      flags: [],
      reason: null,
      scannedAt: null,
    });
    await waitOnExecutionContext(ctx);
    expect(await readScan(app, 'kv', 'slow-scan')).toMatchObject(SAFE);
  });

  it('a verdict of an older write never replaces the newer one; an unfinished scan ends as error', async () => {
    const store = stub('A');
    const now = Date.now();
    await inStore('A', (sql) =>
      sql.exec(
        "INSERT INTO _x402_memory (id, text, vector, created_at, updated_at) VALUES ('m', 't', ?, 0, 0)",
        new ArrayBuffer(3072),
      ),
    );
    const start = { kind: 'memory', id: 'm', contentKey: null } as const;
    await store.beginScans([{ ...start, scan: 'old' }], now);
    await store.beginScans([{ ...start, scan: 'new' }], now);
    const verdict = { kind: 'memory' as const, id: 'm', flags: [], scannedAt: now + 1 };
    await store.finishScans([{ ...verdict, scan: 'old', status: 'error', reason: 'old' }]);
    expect(await store.readScan('memory', 'm', now + 2)).toMatchObject({ status: 'pending' });
    expect(await store.readScan('memory', 'm', now + SCAN_PENDING_TIMEOUT_MS)).toEqual({
      kind: 'memory',
      id: 'm',
      status: 'error',
      flags: [],
      reason: 'The scan did not finish; write the content again to scan it again.',
      scannedAt: null,
    });
    await store.finishScans([{ ...verdict, scan: 'new', status: 'safe', reason: 'fine' }]);
    expect(await store.readScan('memory', 'm', now + 3)).toEqual({
      kind: 'memory',
      id: 'm',
      status: 'safe',
      flags: [],
      reason: 'fine',
      scannedAt: now + 1,
    });
  });
});

describe('GET /storage/scans validation, before the 402', () => {
  const cases: [string, string][] = [
    ['/storage/scans?kind=blob&id=x', 'invalid_kind'],
    ['/storage/scans?kind=kv&id=', 'invalid_id'],
    [`/storage/scans?kind=kv&id=${'k'.repeat(450)}`, 'invalid_id'],
  ];
  for (const [url, code] of cases) {
    it(`${url.slice(0, 40)} is 400 ${code}`, async () => {
      const app = testApp();
      const res = await app.request(url);
      expect(res.status).toBe(400);
      expect(res.headers.get('payment-required')).toBeNull();
      expect(await res.json()).toMatchObject({ code });
    });
  }
});
