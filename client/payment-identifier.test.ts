/**
 * The `payment-identifier` extension: every paid request names its logical request, and a retry
 * of that request (network error, timeout) sends the very same header: one transaction, signed
 * once, whatever happens to the connection.
 */
import { describe, expect, it } from 'vitest';
import { isValidPaymentIdentifier, newPaymentIdentifier } from './payment-identifier';
import {
  deliveredReply,
  expectResponse,
  GENERATED_IDENTIFIER,
  identifierOf,
  PAYMENT_ID,
  STACKS_READS,
  transactionOf,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';

const harness = useClientHarness();
const CUSTOM_ID = 'order-2030-01-02_0042';

describe('payment identifier', () => {
  it('generates pid_ and 32 base64url characters, valid for the extension schema', () => {
    const ids = new Set(Array.from({ length: 50 }, newPaymentIdentifier));
    expect(ids.size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(GENERATED_IDENTIFIER);
      expect(isValidPaymentIdentifier(id)).toBe(true);
    }
    expect(isValidPaymentIdentifier('a'.repeat(15))).toBe(false);
    expect(isValidPaymentIdentifier('a'.repeat(16))).toBe(true);
    expect(isValidPaymentIdentifier('a'.repeat(128))).toBe(true);
    expect(isValidPaymentIdentifier('a'.repeat(129))).toBe(false);
    expect(isValidPaymentIdentifier('order 2030-01-02 #42')).toBe(false);
  });

  it('puts a new id in every paid payload, or the caller’s own id', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    const client = harness.client();
    const first = expectResponse(await payForHash(client, server));
    const second = expectResponse(await payForHash(client, server));
    const third = expectResponse(
      await payForHash(client, server, { paymentIdentifier: CUSTOM_ID }),
    );

    const sent = server.paidRequests().map(identifierOf);
    expect(sent).toEqual([first.paymentIdentifier, second.paymentIdentifier, CUSTOM_ID]);
    expect(first.paymentIdentifier).toMatch(GENERATED_IDENTIFIER);
    expect(second.paymentIdentifier).toMatch(GENERATED_IDENTIFIER);
    expect(first.paymentIdentifier).not.toBe(second.paymentIdentifier);
    expect(third.paymentIdentifier).toBe(CUSTOM_ID);
  });

  it('resends the same header after a dropped connection: same id, same transaction, signed once', async () => {
    const server = await harness.startServer({
      onPaid: (request, index) => (index === 0 ? 'drop' : deliveredReply(request)),
    });
    const client = harness.client();
    const result = expectResponse(await payForHash(client, server));

    const [dropped, retried] = server.paidRequests();
    expect(server.paidRequests()).toHaveLength(2);
    expect(retried.headers['payment-signature']).toBe(dropped.headers['payment-signature']);
    expect(identifierOf(retried)).toBe(result.paymentIdentifier);
    expect(`0x${transactionOf(retried).txid()}`).toBe(result.payment?.txid);
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
    expect(result.status).toBe(200);
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('resends the same header when an attempt times out', async () => {
    const server = await harness.startServer({
      onPaid: (request, index) =>
        index === 0 ? { delayMs: 3000, reply: deliveredReply(request) } : deliveredReply(request),
    });
    const client = harness.client({ paidRequestTimeoutMs: 300 });
    const result = expectResponse(await payForHash(client, server));
    const [slow, retried] = server.paidRequests();
    expect(retried.headers['payment-signature']).toBe(slow.headers['payment-signature']);
    expect(result.status).toBe(200);
    expect(harness.stacksApi.requests).toEqual(STACKS_READS);
  });

  it('gives up after 3 attempts with an error that carries the id, and counts the payment as spent', async () => {
    const server = await harness.startServer({ onPaid: () => 'drop' });
    const client = harness.client();
    const error = await payForHash(client, server, { paymentIdentifier: CUSTOM_ID }).catch(
      (caught: unknown) => caught,
    );
    const txid = `0x${transactionOf(server.paidRequests()[0]).txid()}`;
    expect(error).toMatchObject({
      name: 'X402ClientError',
      code: 'resource_unreachable',
      paymentIdentifier: CUSTOM_ID,
      message: `no answer from ${server.url}/hashing/sha256 after sending payment ${txid} (3 attempts); call again with paymentIdentifier ${CUSTOM_ID} to collect it without paying twice`,
    });
    const signatures = server.paidRequests().map((request) => request.headers['payment-signature']);
    expect(signatures).toEqual([signatures[0], signatures[0], signatures[0]]);
    expect(client.spent()).toEqual({ STX: 1000n, sBTC: 0n, USDCx: 0n });
  });

  it('rejects a malformed id or call option before sending anything', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    await expect(
      payForHash(harness.client(), server, { paymentIdentifier: 'too short' }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'paymentIdentifier must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -',
    });
    await expect(
      payForHash(harness.client(), server, { deliveryTimeoutMs: Number.NaN }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'deliveryTimeoutMs must be a non-negative number of ms',
    });
    expect(server.requests).toEqual([]);
  });
});
