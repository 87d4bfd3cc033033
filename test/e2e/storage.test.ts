/**
 * The storage route group end to end (issue 8): `wrangler dev` with real KV, D1 and Durable
 * Objects, the devnet for payments and the Workers AI stand-in for embeddings and scans, all as
 * separate processes. One payer writes, reads and deletes in every store, paying in each token;
 * a second payer sees none of it. Every call's price lands at payTo exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client, type X402Client } from '../../client';
import { getDevnetAccount } from '../../devnet/accounts';
import type { TokenType } from '../../src/stacks/tokens';
import {
  type RunningProcess,
  startAiStandinProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { balanceOf, PAY_TO, waitForPaymentStatus } from './helpers';

let devnet: RunningProcess;
let ai: RunningProcess;
let worker: WorkerProcess;
let owner: X402Client;
let other: X402Client;
const paid: { paymentId: string; token: TokenType }[] = [];
const TOKENS: TokenType[] = ['STX', 'sBTC', 'USDCx'];
let payToBefore: bigint[] = [];

beforeAll(async () => {
  [devnet, ai] = await Promise.all([
    startDevnetProcess({ blockTimeMs: 500 }),
    startAiStandinProcess(),
  ]);
  worker = await startWorkerProcess({
    vars: { STACKS_API_URL: devnet.url, WORKERS_AI_URL: ai.url },
  });
  const client = async (name: 'wallet_1' | 'wallet_2') =>
    createX402Client({
      privateKey: (await getDevnetAccount(name)).privateKey,
      network: 'testnet',
      stacksApiUrl: devnet.url,
    });
  [owner, other] = await Promise.all([client('wallet_1'), client('wallet_2')]);
  payToBefore = await Promise.all(TOKENS.map((t) => balanceOf(devnet.url, PAY_TO, t)));
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([devnet?.stop(), ai?.stop()]);
});

let call = 0;

/** One paid call; the token rotates so every token pays for some of them. */
async function pay(
  client: X402Client,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const token = TOKENS[call++ % TOKENS.length];
  const result = await client.fetch(`${worker.url}${path}`, {
    method,
    headers: {
      'x-payment-token-type': token,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (result.type !== 'response') throw new Error(`${method} ${path}: ${result.type}`);
  if (result.status < 400 && result.paymentId) {
    expect(result.payment?.tokenType).toBe(token);
    paid.push({ paymentId: result.paymentId, token });
  }
  return { status: result.status, body: result.body };
}

describe('storage over real HTTP, paid on the devnet', () => {
  it('KV: write, read, list, delete; another payer sees nothing', async () => {
    const written = await pay(owner, 'POST', '/storage/kv', {
      key: 'greeting',
      value: 'hello',
      metadata: { lang: 'en' },
    });
    expect(written).toMatchObject({ status: 200, body: { key: 'greeting', created: true } });
    const read = await pay(owner, 'GET', '/storage/kv/greeting');
    expect(read).toMatchObject({
      status: 200,
      body: { key: 'greeting', value: 'hello', metadata: { lang: 'en' } },
    });
    const listed = await pay(owner, 'GET', '/storage/kv?prefix=gr');
    expect((listed.body as { keys: { key: string }[] }).keys.map((k) => k.key)).toEqual([
      'greeting',
    ]);
    expect((await pay(other, 'GET', '/storage/kv/greeting')).status).toBe(404);
    const deleted = await pay(owner, 'DELETE', '/storage/kv/greeting');
    expect(deleted).toEqual({ status: 200, body: { key: 'greeting', deleted: true } });
    expect((await pay(owner, 'GET', '/storage/kv/greeting')).status).toBe(404);
  });

  it('pastes: a private paste is its owner’s alone', async () => {
    const created = await pay(owner, 'POST', '/storage/paste', {
      content: 'console.log(1)',
      language: 'javascript',
      visibility: 'private',
    });
    expect(created.status).toBe(200);
    const { id } = created.body as { id: string };
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await pay(owner, 'GET', `/storage/paste/${id}`)).toMatchObject({
      status: 200,
      body: { content: 'console.log(1)' },
    });
    expect((await pay(other, 'GET', `/storage/paste/${id}`)).status).toBe(404);
    expect((await pay(owner, 'DELETE', `/storage/paste/${id}`)).status).toBe(200);
  });

  it('SQL: the payer’s own table, created, queried and dropped', async () => {
    const created = await pay(owner, 'POST', '/storage/db/execute', {
      sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, created_at TEXT)',
    });
    expect(created.status).toBe(200);
    const inserted = await pay(owner, 'POST', '/storage/db/execute', {
      sql: 'INSERT INTO notes (body, created_at) VALUES (?, ?)',
      params: ['first', '2026-12-06'],
    });
    expect(inserted).toMatchObject({ status: 200, body: { rowsAffected: 1 } });
    expect(
      await pay(owner, 'POST', '/storage/db/query', { sql: 'SELECT body, created_at FROM notes' }),
    ).toMatchObject({
      status: 200,
      body: { columns: ['body', 'created_at'], rows: [['first', '2026-12-06']], rowCount: 1 },
    });
    const blocked = await pay(owner, 'POST', '/storage/db/query', {
      sql: 'SELECT * FROM "_x402_locks"',
    });
    expect(blocked).toMatchObject({ status: 400, body: { code: 'sql_system_table' } });
    expect(
      (await pay(other, 'POST', '/storage/db/query', { sql: 'SELECT * FROM notes' })).status,
    ).toBe(400);
    expect(
      (await pay(owner, 'POST', '/storage/db/execute', { sql: 'DROP TABLE notes' })).status,
    ).toBe(200);
  });

  it('locks and queues', async () => {
    const lock = await pay(owner, 'POST', '/storage/sync/lock', { name: 'job-1', ttl: 60 });
    expect(lock).toMatchObject({ status: 200, body: { acquired: true, name: 'job-1' } });
    const { token } = lock.body as { token: string };
    expect(
      await pay(other, 'POST', '/storage/sync/lock', { name: 'job-1', ttl: 60 }),
    ).toMatchObject({ status: 200, body: { acquired: true } });
    expect(await pay(owner, 'POST', '/storage/sync/unlock', { name: 'job-1', token })).toEqual({
      status: 200,
      body: { released: true },
    });

    const pushed = await pay(owner, 'POST', '/storage/queue/push', {
      queue: 'jobs',
      items: [{ n: 1 }, { n: 2 }],
    });
    expect(pushed).toMatchObject({ status: 200, body: { queue: 'jobs', pending: 2 } });
    const popped = await pay(owner, 'POST', '/storage/queue/pop', {
      queue: 'jobs',
      count: 1,
      visibilityTimeout: 30,
    });
    const items = (popped.body as { items: { id: string; data: unknown }[] }).items;
    expect(items.map((i) => i.data)).toEqual([{ n: 1 }]);
    expect(
      await pay(owner, 'POST', '/storage/queue/ack', { queue: 'jobs', ids: [items[0].id] }),
    ).toEqual({ status: 200, body: { acked: 1 } });
    expect(await pay(owner, 'GET', '/storage/queue/status?queue=jobs')).toEqual({
      status: 200,
      body: { queue: 'jobs', pending: 1, inFlight: 0, done: 1, dead: 0 },
    });
    expect(await pay(other, 'GET', '/storage/queue/status?queue=jobs')).toEqual({
      status: 200,
      body: { queue: 'jobs', pending: 0, inFlight: 0, done: 0, dead: 0 },
    });
    expect(await pay(owner, 'POST', '/storage/queue/clear', { queue: 'jobs' })).toMatchObject({
      status: 200,
    });
  });

  it('memory: embedded by the Workers AI stand-in, searched by meaning, and scanned', async () => {
    const stored = await pay(owner, 'POST', '/storage/memory/store', {
      items: [
        { id: 'cat', text: 'the cat sat on the mat' },
        { id: 'stocks', text: 'stock market prices fell sharply' },
        { id: 'kitten', text: 'a kitten sleeps on a mat' },
      ],
    });
    expect(stored).toMatchObject({ status: 200, body: { stored: 3 } });
    const found = await pay(owner, 'POST', '/storage/memory/search', {
      query: 'cat on a mat',
      limit: 3,
    });
    const ids = (found.body as { results: { id: string }[] }).results.map((r) => r.id);
    expect(ids[0]).toBe('cat');
    expect(ids.at(-1)).toBe('stocks');
    expect(
      (await pay(other, 'POST', '/storage/memory/search', { query: 'cat on a mat' })).body,
    ).toEqual({ results: [] });
    // The scan runs after the write; its verdict is the owner's to read.
    let scan: { status: number; body: unknown } = { status: 0, body: null };
    for (let i = 0; i < 20; i++) {
      scan = await pay(owner, 'GET', '/storage/scans?kind=memory&id=cat');
      if ((scan.body as { status?: string }).status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(scan).toMatchObject({
      status: 200,
      body: { kind: 'memory', id: 'cat', status: 'safe' },
    });
    expect(await pay(owner, 'POST', '/storage/memory/delete', { ids: ['cat'] })).toEqual({
      status: 200,
      body: { deleted: 1 },
    });
    expect(await pay(owner, 'POST', '/storage/memory/clear', {})).toEqual({
      status: 200,
      body: { cleared: 2 },
    });
  });

  it('every paid call landed at payTo, in each token', { timeout: 120_000 }, async () => {
    expect(new Set(paid.map((p) => p.token))).toEqual(new Set(TOKENS));
    const ledger = { STX: 0n, sBTC: 0n, USDCx: 0n } as Record<TokenType, bigint>;
    for (const p of paid) {
      const status = await waitForPaymentStatus(
        worker.url,
        p.paymentId,
        (s) => s.status === 'confirmed',
        60_000,
      );
      ledger[p.token] += BigInt(status.amount);
    }
    const price: Record<TokenType, bigint> = { STX: 1000n, sBTC: 2n, USDCx: 1000n };
    const after = await Promise.all(TOKENS.map((t) => balanceOf(devnet.url, PAY_TO, t)));
    TOKENS.forEach((token, i) => {
      const count = BigInt(paid.filter((p) => p.token === token).length);
      expect(ledger[token]).toBe(price[token] * count);
      expect(after[i] - payToBefore[i]).toBe(ledger[token]);
    });
  });
});
