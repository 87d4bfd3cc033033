/**
 * A payment header is attacker-sized input: too long or too deeply nested, it is refused as an
 * invalid payload (402) before anything walks it. Before the bounds, 4,000 nested arrays in
 * `accepted` overflowed the stack of the requirement matching and the request answered 500.
 */
import { describe, expect, it } from 'vitest';
import { encodeBase64Json } from '../../src/payment/header-codec';
import { ledgerRows, paymentRequiredOf, testApp } from './support/app';
import { requirementFor } from './support/paid-request';

const ROUTE = '/hashing/sha256';
const BODY = { data: 'hello world' };

/** `[[[...]]]`, `depth` levels deep, built without recursion. */
function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

async function expectInvalidPayload(header: string, detail: string) {
  const { post, settler } = testApp();
  const res = await post(ROUTE, BODY, { 'payment-signature': header });
  expect(res.status).toBe(402);
  expect(paymentRequiredOf(res).error).toBe('invalid_payload');
  const body = (await res.json()) as { code: string; message: string };
  expect({ code: body.code, message: body.message }).toEqual({
    code: 'invalid_payload',
    message: `The payment header is not base64 JSON of an x402 PaymentPayload. (${detail})`,
  });
  expect(settler.settled).toHaveLength(0);
  expect(await ledgerRows()).toEqual([]);
}

describe('bounds on the payment header', () => {
  it('refuses 4,000 levels of nested arrays in `accepted` with a 402, not a 500', async () => {
    const header = encodeBase64Json({
      x402Version: 2,
      accepted: nestedArrays(4000),
      payload: { transaction: '00' },
    });
    // About 11 KB: short enough to pass the length bound, so the depth bound is what refuses it.
    expect(header.length).toBeLessThan(16_384);
    await expectInvalidPayload(
      header,
      'the decoded header nests arrays and objects more than 32 levels deep',
    );
  });

  it('refuses 4,000 levels of nesting inside an `accepted` object with a 402, not a 500', async () => {
    // An object with the right scheme reaches the requirement matching, which walks it.
    const header = encodeBase64Json({
      x402Version: 2,
      accepted: { scheme: 'exact', extra: nestedArrays(4000) },
      payload: { transaction: '00' },
    });
    expect(header.length).toBeLessThan(16_384);
    await expectInvalidPayload(
      header,
      'the decoded header nests arrays and objects more than 32 levels deep',
    );
  });

  it('refuses a header longer than any payment needs, even when it is otherwise well formed', async () => {
    const accepted = await requirementFor(testApp(), ROUTE, { body: BODY });
    const header = encodeBase64Json({
      x402Version: 2,
      accepted,
      // 7,000 bytes of transaction: more than the 4,096 a payment may have, in a header > 16 KiB.
      payload: { transaction: '00'.repeat(7_000) },
    });
    expect(header.length).toBeGreaterThan(16_384);
    await expectInvalidPayload(
      header,
      `the header is ${header.length} characters long, over the limit of 16384`,
    );
  });
});
