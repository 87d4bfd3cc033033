/**
 * `/storage/memory` in workerd with the payer's real Durable Object and the Workers AI stand-in
 * answering `fetch` (support/fake-workers-ai.ts): rankings are the stand-in's embeddings, stored
 * as Float32 BLOBs; limits refused before the 402, the quota before settlement, an AI failure
 * after settlement owed, and two payers that never see each other's items.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedText } from '../../ai-standin/embeddings.ts';
import { EMBEDDING_MODEL, MODERATION_MODEL } from '../../src/ai/models';
import { type PayerStore, payerStore } from '../../src/durable-objects/payer-store';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { ledgerRows, type TestApp, testApp } from './support/app';
import { type FakeWorkersAi, fakeWorkersAi } from './support/fake-workers-ai';
import { TESTNET } from './support/payments';
import { ADDRESS, type Payer, paid, paidJson, unpaid } from './support/storage-requests';

const limits = STORAGE_LIMITS.memory;
const stub = (as: Payer = 'A') => payerStore(env, TESTNET, ADDRESS[as]);

function inStore<T>(as: Payer, run: (sql: SqlStorage) => T) {
  return runInDurableObject(stub(as), (_instance: PayerStore, state) => run(state.storage.sql));
}

const THREE = [
  { id: 'cat', text: 'the cat sat on the mat' },
  { id: 'stock', text: 'stock market prices fell' },
  { id: 'kitten', text: 'a kitten on a rug' },
];

interface Match {
  id: string;
  text: string;
  metadata: Record<string, unknown> | null;
  score: number;
}

const store = (app: TestApp, items: unknown[], as: Payer = 'A') =>
  paidJson(app, '/storage/memory/store', { body: { items }, as });
const search = (app: TestApp, body: Record<string, unknown>, as: Payer = 'A') =>
  paidJson<{ results: Match[] }>(app, '/storage/memory/search', { body, as });
const ranking = (results: Match[]) => results.map(({ id, score }) => [id, score]);

let ai: FakeWorkersAi;

beforeEach(async () => {
  ai = fakeWorkersAi();
  for (const as of ['A', 'B'] as const) {
    await inStore(as, (sql) => {
      sql.exec('DELETE FROM _x402_memory');
      sql.exec('DELETE FROM _x402_scans');
    });
  }
});

afterEach(() => ai.restore());

/** Refused before the 402: the status, code, the "nothing was charged" sentence, nothing settled. */
async function expectRefusedFree(app: TestApp, res: Response, status: 400 | 413, code: string) {
  expect(res.headers.get('payment-required')).toBeNull();
  const json = (await res.json()) as { code: string; message: string };
  expect({ status: res.status, code: json.code }).toEqual({ status, code });
  expect(json.message).toMatch(/^The request is invalid \(nothing was charged\): /);
  expect(app.settler.settled).toHaveLength(0);
}

describe('POST /storage/memory/store and /storage/memory/search', () => {
  it('ranks by the stand-in’s embeddings: "cat on a mat" finds cat, then stock, then kitten', async () => {
    const app = testApp();
    expect(
      await store(app, [{ ...THREE[0], metadata: { source: 'poem' } }, THREE[1], THREE[2]]),
    ).toEqual({ stored: 3, ids: ['cat', 'stock', 'kitten'] });

    const { results } = await search(app, { query: 'cat on a mat' });
    // The stand-in embeds shared words, not meaning: "kitten" and "rug" share nothing with the query.
    expect(results).toEqual([
      { id: 'cat', text: 'the cat sat on the mat', metadata: { source: 'poem' }, score: 0.852577 },
      { id: 'stock', text: 'stock market prices fell', metadata: null, score: 0.040695 },
      { id: 'kitten', text: 'a kitten on a rug', metadata: null, score: 0.028162 },
    ]);

    // One embedding call for the three texts, three scans, one embedding call for the query.
    expect(ai.runs.map((run) => run.model)).toEqual([
      EMBEDDING_MODEL,
      MODERATION_MODEL,
      MODERATION_MODEL,
      MODERATION_MODEL,
      EMBEDDING_MODEL,
    ]);
    expect(ai.runs[0]?.inputs).toEqual({ text: THREE.map((item) => item.text) });
    expect(ai.runs[4]?.inputs).toEqual({ text: ['cat on a mat'] });
    expect((await ledgerRows()).map((row) => [row.route, row.settle_order, row.status])).toEqual([
      ['POST /storage/memory/store', 'upfront', 'mempool'],
      ['POST /storage/memory/search', 'authorization', 'mempool'],
    ]);
  });

  it('stores each vector as a 3072-byte Float32 BLOB, the embedding as float32', async () => {
    const app = testApp();
    await store(app, [THREE[0]]);
    const row = await inStore('A', (sql) =>
      sql
        .exec<{ vector: ArrayBuffer; type: string }>(
          "SELECT vector, typeof(vector) AS type FROM _x402_memory WHERE id = 'cat'",
        )
        .one(),
    );
    expect(row.type).toBe('blob');
    expect(row.vector).toBeInstanceOf(ArrayBuffer);
    expect(row.vector.byteLength).toBe(3072);
    expect(new Float32Array(row.vector)).toEqual(Float32Array.from(embedText(THREE[0].text)));
  });

  it('the same text scores 1; threshold leaves out lower scores; limit keeps the best', async () => {
    const app = testApp();
    await store(app, [
      ...THREE,
      { id: 'markets', text: 'markets rallied as prices rose' },
      { id: 'dog', text: 'the dog sat on the rug' },
    ]);
    expect(
      ranking((await search(app, { query: 'the cat sat on the mat', limit: 2 })).results),
    ).toEqual([
      ['cat', 1],
      ['dog', 0.398085],
    ]);
    expect(ranking((await search(app, { query: 'stock prices', threshold: 0.3 })).results)).toEqual(
      [
        ['stock', 0.716599],
        ['markets', 0.362015],
      ],
    );
    // The threshold compares the score as shown (6 decimals), inclusive.
    expect(
      ranking((await search(app, { query: 'stock prices', threshold: 0.362015 })).results),
    ).toEqual([
      ['stock', 0.716599],
      ['markets', 0.362015],
    ]);
    expect(
      ranking((await search(app, { query: 'stock prices', threshold: 0.362016 })).results),
    ).toEqual([['stock', 0.716599]]);
    // Equal scores (0: no shared feature) are ordered by id; negative scores are kept without a threshold.
    expect(ranking((await search(app, { query: 'stock prices' })).results)).toEqual([
      ['stock', 0.716599],
      ['markets', 0.362015],
      ['cat', 0],
      ['dog', 0],
      ['kitten', -0.054377],
    ]);
    expect((await search(app, { query: 'kitten', threshold: 0.9 })).results).toEqual([]);
  });

  it('a search of a payer with nothing stored answers no results', async () => {
    const app = testApp();
    expect(await search(app, { query: 'anything' })).toEqual({ results: [] });
  });

  it('upserts by id: the text, metadata and vector are replaced, createdAt kept', async () => {
    const app = testApp();
    await store(app, [{ id: 'note', text: 'stock market prices fell', metadata: { v: 1 } }]);
    const [before] = (
      await paidJson<{ items: { createdAt: string }[] }>(app, '/storage/memory/list')
    ).items;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store(app, [{ id: 'note', text: 'the cat sat on the mat' }])).toEqual({
      stored: 1,
      ids: ['note'],
    });
    expect(await paidJson(app, '/storage/memory/list')).toEqual({
      items: [
        {
          id: 'note',
          text: 'the cat sat on the mat',
          metadata: null,
          createdAt: before?.createdAt,
        },
      ],
      cursor: null,
    });
    expect(ranking((await search(app, { query: 'cat on a mat' })).results)).toEqual([
      ['note', 0.852577],
    ]);
    const times = await inStore('A', (sql) =>
      sql
        .exec<{ created_at: number; updated_at: number }>(
          'SELECT created_at, updated_at FROM _x402_memory',
        )
        .one(),
    );
    expect(times.updated_at).toBeGreaterThan(times.created_at);
  });
});

describe('GET /storage/memory/list, POST /storage/memory/delete and /storage/memory/clear', () => {
  it('lists 5 items 2 at a time in id order, deletes some, then clears the rest', async () => {
    const app = testApp();
    await store(
      app,
      ['e', 'a', 'd', 'b', 'c'].map((id) => ({ id, text: `item ${id}`, metadata: { id } })),
    );
    type Page = { items: { id: string; text: string; metadata: unknown }[]; cursor: string | null };
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page = await paidJson(app, `/storage/memory/list?${query}`);
      pages.push(page);
      cursor = page.cursor;
    } while (cursor !== null && pages.length < 5);
    expect(pages.map((page) => page.items.map((item) => item.id))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
    expect(pages.map((page) => page.cursor)).toEqual([
      btoa('b').replace(/=+$/, ''),
      btoa('d').replace(/=+$/, ''),
      null,
    ]);
    expect(pages[0]?.items[0]).toMatchObject({ id: 'a', text: 'item a', metadata: { id: 'a' } });

    // Ids not stored are skipped.
    expect(
      await paidJson(app, '/storage/memory/delete', { body: { ids: ['a', 'c', 'zzz'] } }),
    ).toEqual({ deleted: 2 });
    expect(
      (await paidJson<Page>(app, '/storage/memory/list')).items.map((item) => item.id),
    ).toEqual(['b', 'd', 'e']);
    expect(ranking((await search(app, { query: 'item' })).results).map(([id]) => id)).toEqual([
      'b',
      'd',
      'e',
    ]);

    expect(await paidJson(app, '/storage/memory/clear', { method: 'POST' })).toEqual({
      cleared: 3,
    });
    expect(await paidJson(app, '/storage/memory/list')).toEqual({ items: [], cursor: null });
    expect(await inStore('A', (sql) => sql.exec('SELECT * FROM _x402_scans').toArray())).toEqual(
      [],
    );
  });

  it('a delete of ids none of which is stored is a 404 before settlement, never charged', async () => {
    const app = testApp();
    const res = await paid(app, '/storage/memory/delete', { body: { ids: ['ghost'] } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'not_found',
      message: 'None of these ids is stored in your memory; nothing was charged.',
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
  });
});

describe('memory limits, refused before the 402', () => {
  const item = (fields: Record<string, unknown> = {}) => ({ id: 'x', text: 'hello', ...fields });
  const storeCases: [string, unknown, 400 | 413, string][] = [
    [
      '101 items',
      { items: Array.from({ length: 101 }, (_, i) => item({ id: `i${i}` })) },
      413,
      'too_many_items',
    ],
    ['no items', { items: [] }, 400, 'invalid_items'],
    [
      'a text over 2048 bytes',
      { items: [item({ text: 'é'.repeat(1025) })] },
      413,
      'text_too_large',
    ],
    ['an empty text', { items: [item({ text: ' ' })] }, 400, 'invalid_text'],
    [
      'metadata over 1024 bytes of JSON',
      { items: [item({ metadata: { m: 'm'.repeat(1017) } })] },
      413,
      'metadata_too_large',
    ],
    ['the same id twice', { items: [item(), item({ text: 'again' })] }, 400, 'duplicate_id'],
    ['an id over 256 bytes', { items: [item({ id: 'i'.repeat(257) })] }, 400, 'id_too_long'],
    ['an empty id', { items: [item({ id: '' })] }, 400, 'invalid_id'],
    ['an id with a newline', { items: [item({ id: 'a\nb' })] }, 400, 'invalid_id'],
    ['an unknown field', { items: [item({ vector: [1] })] }, 400, 'invalid_request'],
  ];
  for (const [what, body, status, code] of storeCases) {
    it(`store: ${what} is ${status} ${code}`, async () => {
      const app = testApp();
      const res = await unpaid(app, '/storage/memory/store', { body });
      await expectRefusedFree(app, res, status, code);
    });
  }

  const otherCases: [string, string, unknown, 400 | 413, string][] = [
    ['search', '/storage/memory/search', { query: 'q'.repeat(2049) }, 413, 'query_too_large'],
    ['search', '/storage/memory/search', { query: '' }, 400, 'invalid_query'],
    ['search', '/storage/memory/search', { query: 'q', limit: 0 }, 400, 'invalid_limit'],
    ['search', '/storage/memory/search', { query: 'q', limit: 101 }, 400, 'invalid_limit'],
    ['search', '/storage/memory/search', { query: 'q', threshold: 1.5 }, 400, 'invalid_threshold'],
    [
      'delete',
      '/storage/memory/delete',
      { ids: Array.from({ length: 101 }, (_, i) => `i${i}`) },
      413,
      'too_many_ids',
    ],
    ['delete', '/storage/memory/delete', { ids: [] }, 400, 'invalid_ids'],
    ['list', '/storage/memory/list?limit=101', undefined, 400, 'invalid_limit'],
    ['list', '/storage/memory/list?cursor=not%2Fa%2Bcursor', undefined, 400, 'invalid_cursor'],
  ];
  for (const [what, url, body, status, code] of otherCases) {
    it(`${what}: ${JSON.stringify(body ?? url).slice(0, 50)} is ${status} ${code}`, async () => {
      const app = testApp();
      await expectRefusedFree(app, await unpaid(app, url, { body }), status, code);
    });
  }

  it('a text of exactly 2048 bytes and metadata of exactly 1024 bytes are stored', async () => {
    const app = testApp();
    const metadata = { m: 'm'.repeat(1016) };
    const text = 'é'.repeat(1024);
    expect(await store(app, [{ id: 'full', text, metadata }])).toEqual({
      stored: 1,
      ids: ['full'],
    });
  });
});

describe('the memory quota, checked before settlement', () => {
  it('a store adding items past the quota is a 409: nothing charged, no ledger row, no AI call', async () => {
    const app = testApp();
    await store(app, [{ id: 'kept', text: 'kept' }]);
    const filler = new ArrayBuffer(3072);
    await inStore('A', (sql) => {
      for (let i = 1; i < limits.maxItemsPerPayer; i++) {
        sql.exec(
          'INSERT INTO _x402_memory (id, text, metadata, vector, created_at, updated_at) VALUES (?, ?, NULL, ?, 0, 0)',
          `fill-${i}`,
          'filler',
          filler,
        );
      }
    });
    const runsBefore = ai.runs.length;
    const res = await paid(app, '/storage/memory/store', {
      body: {
        items: [
          { id: 'kept', text: 'kept again' },
          { id: 'new', text: 'one more' },
        ],
      },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      code: 'quota_exceeded',
      message: `You keep ${limits.maxItemsPerPayer} memory items and this store would add 1, past the ${limits.maxItemsPerPayer} a payer may keep; delete or clear some first. Nothing was charged.`,
      used: limits.maxItemsPerPayer,
      adding: 1,
      limit: limits.maxItemsPerPayer,
    });
    expect(app.settler.settled).toHaveLength(1);
    expect((await ledgerRows()).map((row) => row.route)).toEqual(['POST /storage/memory/store']);
    expect(ai.runs.length).toBe(runsBefore);
    // Replacing an item the payer has adds nothing: allowed.
    expect(await store(app, [{ id: 'kept', text: 'kept again' }])).toEqual({
      stored: 1,
      ids: ['kept'],
    });
  });
});

describe('Workers AI failures', () => {
  it('after settlement: 503 ai_unavailable, nothing stored, the payment recorded as owed', async () => {
    const app = testApp();
    ai.faults.arm({ kind: 'http-error', status: 503 });
    const res = await paid(app, '/storage/memory/store', { body: { items: [THREE[0]] } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      code: 'ai_unavailable',
      message:
        'The text could not be embedded: Workers AI refused @cf/baai/bge-base-en-v1.5 with HTTP 503: 3043: Internal server error. Try again later. The payment is recorded as owed to you.',
    });
    expect(app.settler.settled).toHaveLength(1);
    const [row] = await ledgerRows();
    expect(row).toMatchObject({
      route: 'POST /storage/memory/store',
      status: 'mempool',
      owed_amount: '1000',
    });
    expect(res.headers.get('x-payment-id')).toBe(row?.payment_id);
    const status = await (await app.request(`/payment-status/${row?.payment_id}`)).json();
    expect(status).toMatchObject({ status: 'mempool', owedAmount: '1000', delivered: true });
    expect(await inStore('A', (sql) => sql.exec('SELECT id FROM _x402_memory').toArray())).toEqual(
      [],
    );
  });

  it('a search whose query cannot be embedded is a 503, never charged', async () => {
    const app = testApp();
    await store(app, [THREE[0]]);
    ai.faults.arm({ kind: 'http-error', status: 429 });
    const res = await paid(app, '/storage/memory/search', { body: { query: 'cat' } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'ai_unavailable',
      message: expect.stringMatching(/HTTP 429: 3040: .* Nothing was charged\.$/),
    });
    expect(app.settler.settled).toHaveLength(1);
    expect((await ledgerRows()).map((row) => row.route)).toEqual(['POST /storage/memory/store']);
  });
});

describe('two payers', () => {
  it('B can neither search, list nor delete A’s items; the same id is B’s own item', async () => {
    const app = testApp();
    await store(app, THREE, 'A');
    expect((await search(app, { query: 'cat on a mat' }, 'B')).results).toEqual([]);
    expect(await paidJson(app, '/storage/memory/list', { as: 'B' })).toEqual({
      items: [],
      cursor: null,
    });
    const refused = await paid(app, '/storage/memory/delete', { body: { ids: ['cat'] }, as: 'B' });
    expect(refused.status).toBe(404);
    expect(await paidJson(app, '/storage/memory/clear', { method: 'POST', as: 'B' })).toEqual({
      cleared: 0,
    });

    await store(app, [{ id: 'cat', text: 'B’s own cat' }], 'B');
    expect((await search(app, { query: 'cat on a mat' }, 'A')).results.map((r) => r.id)).toEqual([
      'cat',
      'stock',
      'kitten',
    ]);
    expect((await search(app, { query: 'cat on a mat' }, 'A')).results[0]?.text).toBe(
      'the cat sat on the mat',
    );
    expect(
      (await paidJson<{ items: { text: string }[] }>(app, '/storage/memory/list', { as: 'B' }))
        .items,
    ).toMatchObject([{ id: 'cat', text: 'B’s own cat' }]);
  });
});
