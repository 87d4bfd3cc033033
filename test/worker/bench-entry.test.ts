/**
 * The bench-only Worker entry (bench/worker/): it answers its timing routes with figures (never
 * judged here: no timed assertions), passes every other request to the production app, and
 * counts D1 round trips without changing what D1 answers.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import benchWorker from '../../bench/worker/bench-worker';
import { countD1RoundTrips } from '../../bench/worker/d1-counter';
import { testApp } from './support/app';
import { requirementFor } from './support/paid-request';
import { buildPayment, paymentHeader } from './support/payments';

async function send(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await benchWorker.fetch(
    request as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe('the bench entry', () => {
  it('times verification in the isolate with the WASM engine', async () => {
    const accepted = await requirementFor(testApp(), '/hashing/sha256', {
      body: { data: 'hello world' },
    });
    const header = paymentHeader(await buildPayment(), accepted);
    const res = await send(
      new Request('http://bench/__bench/verify?n=2', {
        method: 'POST',
        headers: { 'payment-signature': header },
      }),
    );
    expect(res.status).toBe(200);
    const figures = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(figures).sort()).toEqual([
      'decodeMicros',
      'engine',
      'iterations',
      'originJsMicros',
      'originWasmMicros',
      'recoverEngineMicros',
      'recoverJsMicros',
      'verifyStacksPaymentMicros',
    ]);
    expect(figures.engine).toBe('wasm');
    expect(figures.iterations).toBe(2);
  });

  it('passes other requests to the production app', async () => {
    const res = await send(
      new Request('http://bench/hashing/sha256', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'hello world' }),
      }),
    );
    expect(res.status).toBe(402);
    const count = await send(new Request('http://bench/__bench/d1'));
    expect(await count.json()).toEqual({ roundTrips: expect.any(Number) });
  });
});

describe('countD1RoundTrips', () => {
  it('counts each statement run, batch and exec, and answers what D1 answers', async () => {
    const counter = { count: 0 };
    const db = countD1RoundTrips(env.DB, counter);
    expect(await db.prepare('SELECT ?1 AS one').bind(1).first()).toEqual({ one: 1 });
    expect(counter.count).toBe(1);
    const [a, b] = await db.batch([
      db.prepare('SELECT 2 AS two'),
      db.prepare('SELECT ?1 AS three').bind(3),
    ]);
    expect([a.results, b.results]).toEqual([[{ two: 2 }], [{ three: 3 }]]);
    expect(counter.count).toBe(2);
    await db.exec('SELECT 1');
    expect((await db.prepare('SELECT 4 AS four').all()).results).toEqual([{ four: 4 }]);
    expect(counter.count).toBe(4);
  });
});
