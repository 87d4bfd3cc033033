/**
 * The paid path's money rules that need the chain's view (issue 7): a payment behind a gap in its
 * payer's nonces is refused before it is broadcast, HEAD never settles, and a paid call costs a
 * bounded number of D1 round trips (counted by a wrapper around the real D1 binding).
 */
import { env } from 'cloudflare:workers';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { defineRoute } from '../../src/routes/registry';
import { ledgerRows, paymentRequiredOf, testApp } from './support/app';
import { signPaymentFor } from './support/paid-request';
import { PAYER } from './support/payments';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };

/** The real D1 binding, counting the round trips made through it (batch, run, first, all, raw). */
function countingDb(db: D1Database) {
  const counter = { trips: 0 };
  const countCalls = <T extends object>(target: T, methods: string[]): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'bind') {
          return (...args: unknown[]) =>
            countCalls((value as (...a: unknown[]) => object).apply(object, args), methods);
        }
        return (...args: unknown[]) => {
          if (methods.includes(String(property))) counter.trips += 1;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  const wrapped = new Proxy(db, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property === 'prepare') {
        return (sql: string) => countCalls(object.prepare(sql), ['run', 'first', 'all', 'raw']);
      }
      if (property === 'batch' || property === 'exec') {
        return (...args: unknown[]) => {
          counter.trips += 1;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      }
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { db: wrapped, counter };
}

const upfrontRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/test/upfront-store',
    summary: 'Upfront test route',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ data: z.string() }) } },
      },
    },
    responses: { 200: { description: 'Done' } },
  }),
  pricing: { tier: 'standard', order: 'upfront' },
  handler: (c) => c.json({ stored: true }, 200),
});

describe('D1 round trips on a paid call', () => {
  it('authorization order, mempool delivery: 2 (open the payment; settle and deliver)', async () => {
    const app = testApp();
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY });
    const { db, counter } = countingDb(env.DB);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header }, { ...env, DB: db });
    expect(res.status).toBe(200);
    expect(counter.trips).toBe(2);
    expect((await ledgerRows())[0]).toMatchObject({ status: 'mempool', claim_active: 1 });
  });

  it('with a payment-identifier (the answer is kept for retries): still 2', async () => {
    const app = testApp();
    const payload = { extensions: { 'payment-identifier': { info: { id: 'round-trips-0001' } } } };
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY, payload });
    const { db, counter } = countingDb(env.DB);
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header }, { ...env, DB: db });
    expect(res.status).toBe(200);
    expect(counter.trips).toBe(2);
    const stored = await env.DB.prepare('SELECT status, body FROM payment_responses').first();
    expect(stored).toEqual({ status: 200, body: await res.text() });
  });

  it('upfront order: 3 (open; settle and take the right to serve; keep and deliver the answer)', async () => {
    const app = testApp([upfrontRoute]);
    const { header } = await signPaymentFor(app, '/test/upfront-store', { body: BODY });
    const { db, counter } = countingDb(env.DB);
    const res = await app.post(
      '/test/upfront-store',
      BODY,
      { 'payment-signature': header },
      { ...env, DB: db },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ stored: true });
    expect(counter.trips).toBe(3);
    const [row] = await ledgerRows();
    expect(row).toMatchObject({ status: 'mempool', served: 1, owed_amount: null });
    expect(row?.delivered_at).toBeTypeOf('number');
  });
});

describe('a payment behind a gap in its payer nonces', () => {
  it('is refused with client_bad_nonce before any broadcast, naming the nonce to use', async () => {
    const app = testApp();
    // Nothing executed yet, nonces 0..2 pending: the next one is 3.
    app.chain.pending.set(PAYER, { possibleNextNonce: 3, missingNonces: [] });
    const { header } = await signPaymentFor(app, ROUTE, { body: BODY, payment: { nonce: 5n } });
    const res = await app.post(ROUTE, BODY, { 'payment-signature': header });
    expect(res.status).toBe(402);
    const required = paymentRequiredOf(res);
    expect(required.error).toBe('client_bad_nonce');
    expect(await res.json()).toMatchObject({
      code: 'client_bad_nonce',
      message:
        "The transaction nonce is not the payer’s next nonce. (the transaction has nonce 5 but the payer's next nonce is 3 (nonces in between are neither executed nor pending), so it cannot be mined; sign the payment with nonce 3)",
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);

    // The same payer pays with the nonce it was told: served.
    const fixed = await signPaymentFor(app, ROUTE, { body: BODY, payment: { nonce: 3n } });
    const ok = await app.post(ROUTE, BODY, { 'payment-signature': fixed.header });
    expect(ok.status).toBe(200);
  });

  it('counts a missing nonce below it as a gap even when later ones are pending', async () => {
    const app = testApp();
    // Executed up to 1; 2 and 4 pending; 3 missing.
    app.chain.nonces.set(PAYER, 1);
    app.chain.pending.set(PAYER, { possibleNextNonce: 5, missingNonces: [3] });
    const ahead = await signPaymentFor(app, ROUTE, { body: BODY, payment: { nonce: 5n } });
    const refused = await app.post(ROUTE, BODY, { 'payment-signature': ahead.header });
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({ code: 'client_bad_nonce' });
    expect(paymentRequiredOf(refused).error).toBe('client_bad_nonce');
    // Nonce 3 fills the gap: it can be mined next.
    const filler = await signPaymentFor(app, ROUTE, { body: BODY, payment: { nonce: 3n } });
    expect((await app.post(ROUTE, BODY, { 'payment-signature': filler.header })).status).toBe(200);
  });

  it('is delivered on confirmation only when the chain cannot say (nonces unreadable)', async () => {
    const app = testApp();
    app.chain.noncesDown = true;
    const bindings = { ...env, CONFIRMATION_WAIT_SECONDS: '0' } as Env;
    const { header, txid } = await signPaymentFor(app, ROUTE, { body: BODY, bindings });
    const first = await app.post(ROUTE, BODY, { 'payment-signature': header }, bindings);
    expect(first.status).toBe(202);
    expect((await ledgerRows())[0]).toMatchObject({ delivery: 'confirmed', status: 'mempool' });
    app.chain.txs.set(txid, { txStatus: 'success', blockHeight: 7 });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': header }, bindings);
    expect(retry.status).toBe(200);
    expect(app.settler.settled).toHaveLength(1);
  });
});

describe('an upfront route whose precheck refuses the payer', () => {
  it('answers the refusal, releases the claim and charges nothing', async () => {
    const refusing = defineRoute({
      route: createRoute({
        method: 'post',
        path: '/test/over-quota',
        summary: 'Upfront test route with a quota',
        request: {
          body: {
            required: true,
            content: { 'application/json': { schema: z.object({ data: z.string() }) } },
          },
        },
        responses: { 200: { description: 'Done' }, 409: { description: 'Over quota' } },
      }),
      pricing: { tier: 'standard', order: 'upfront' },
      precheck: (c, payment) =>
        c.json({ code: 'quota_exceeded', message: `${payment.payer} is over quota.` }, 409),
      handler: (c) => c.json({ stored: true }, 200),
    });
    const app = testApp([refusing]);
    const { header } = await signPaymentFor(app, '/test/over-quota', { body: BODY });
    const res = await app.post('/test/over-quota', BODY, { 'payment-signature': header });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      code: 'quota_exceeded',
      message: `${PAYER} is over quota.`,
    });
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
  });
});

describe('HEAD on a paid GET route', () => {
  it('answers the challenge, even with a valid payment, and never settles', async () => {
    const app = testApp();
    const path = `/stacks/address/${PAYER}`;
    const { header } = await signPaymentFor(app, path);
    const res = await app.request(path, {
      method: 'HEAD',
      headers: { 'payment-signature': header },
    });
    expect(res.status).toBe(402);
    expect(paymentRequiredOf(res).error).toBe('payment_required');
    expect(app.settler.settled).toHaveLength(0);
    expect(await ledgerRows()).toEqual([]);
    // The payment is still good for the GET it was made for.
    const get = await app.request(path, { headers: { 'payment-signature': header } });
    expect(get.status).toBe(200);
    expect(app.settler.settled).toHaveLength(1);
  });
});
