/** The x402 payment-identifier extension: idempotent retries, conflicts and reservations. */

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ledgerRows, paymentRequiredOf, type TestApp, testApp } from './support/app';
import { signPaymentFor } from './support/paid-request';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };
const ID = 'retry-key_0123456789abcdef';

/** A `payment-signature` header, with the payment-identifier extension when `id` is given. */
async function signed(app: TestApp, nonce: bigint, id?: unknown, body: unknown = BODY) {
  const payload = id === undefined ? {} : { extensions: { 'payment-identifier': id } };
  return (await signPaymentFor(app, ROUTE, { body, payment: { nonce }, payload })).header;
}

describe('payment-identifier', () => {
  it('returns the stored answer for a retry of the same request, without a second charge', async () => {
    const app = testApp();
    const first = await app.post(ROUTE, BODY, {
      'payment-signature': await signed(app, 0n, { info: { id: ID } }),
    });
    expect(first.status).toBe(200);
    const body = await first.text();
    // The client timed out and retried: same id, same request, same payment.
    const sameHeader = await signed(app, 0n, { info: { id: ID } });
    const retry = await app.post(ROUTE, BODY, { 'payment-signature': sameHeader });
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(body);
    expect(retry.headers.get('x-payment-id')).toBe(first.headers.get('x-payment-id'));
    // A client that re-signed a new payment for the same request is not charged for it either.
    const resigned = await app.post(ROUTE, BODY, {
      'payment-signature': await signed(app, 1n, { info: { id: ID, required: false } }),
    });
    expect(resigned.status).toBe(200);
    expect(await resigned.text()).toBe(body);
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toHaveLength(1);
  });

  it('is a 409 for the same id with a different request, and charges nothing', async () => {
    const app = testApp();
    expect(
      (
        await app.post(ROUTE, BODY, {
          'payment-signature': await signed(app, 0n, { info: { id: ID } }),
        })
      ).status,
    ).toBe(200);
    const other = { data: 'something else' };
    const res = await app.post(ROUTE, other, {
      'payment-signature': await signed(app, 1n, { info: { id: ID } }, other),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      code: 'payment_identifier_conflict',
      message:
        'This payment-identifier was already used for a different request; use a new id for a new request (nothing was charged).',
    });
    expect(app.settler.settled).toHaveLength(1);
  });

  it('lets only one of concurrent retries with one id go on to pay', async () => {
    const app = testApp();
    const headers = await Promise.all(
      [0n, 1n, 2n, 3n].map((nonce) => signed(app, nonce, { info: { id: ID } })),
    );
    const responses = await Promise.all(
      headers.map((h) => app.post(ROUTE, BODY, { 'payment-signature': h })),
    );
    // Each copy either gets the one answer or is told to retry: never a second payment.
    for (const res of responses) {
      if (res.status === 200)
        expect(await res.json()).toMatchObject({ algorithm: 'sha256', inputLength: 11 });
      else
        expect({ status: res.status, body: await res.json() }).toMatchObject({
          status: 409,
          body: { code: 'payment_identifier_in_progress' },
        });
    }
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(app.settler.settled).toHaveLength(1);
    expect(await ledgerRows()).toHaveLength(1);
  });

  it('frees the id when nothing was charged, so a corrected payment can use it', async () => {
    const app = testApp();
    app.settler.answer({ type: 'rejected', code: 'insufficient_funds', detail: 'NotEnoughFunds' });
    const refused = await app.post(ROUTE, BODY, {
      'payment-signature': await signed(app, 0n, { info: { id: ID } }),
    });
    expect(refused.status).toBe(402);
    app.settler.next = (payment) => ({ type: 'settled', txid: payment.txid });
    const paid = await app.post(ROUTE, BODY, {
      'payment-signature': await signed(app, 1n, { info: { id: ID } }),
    });
    expect(paid.status).toBe(200);
  });

  it('rejects malformed ids with a free 400', async () => {
    const app = testApp();
    for (const id of [
      { info: { id: 'short' } },
      { info: { id: 'has spaces in it 123' } },
      { info: {} },
      { id: ID },
      'x'.repeat(20),
    ]) {
      const res = await app.post(ROUTE, BODY, { 'payment-signature': await signed(app, 0n, id) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        code: 'invalid_payment_identifier',
        message:
          'extensions["payment-identifier"].info.id must be 16 to 128 of A-Z a-z 0-9 _ - (nothing was charged).',
      });
    }
    expect(app.settler.settled).toHaveLength(0);
  });

  it('can be required by configuration, and the 402 says so', async () => {
    const app = testApp();
    const strict = { ...env, PAYMENT_IDENTIFIER_REQUIRED: 'true' } as Env;
    const challenge = paymentRequiredOf(await app.post(ROUTE, BODY, {}, strict));
    expect(challenge.extensions?.['payment-identifier']).toMatchObject({
      info: { required: true },
    });
    const res = await app.post(ROUTE, BODY, { 'payment-signature': await signed(app, 0n) }, strict);
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'payment_identifier_required' });
    const withId = await app.post(
      ROUTE,
      BODY,
      { 'payment-signature': await signed(app, 0n, { info: { id: ID } }) },
      strict,
    );
    expect(withId.status).toBe(200);
  });
});
