/**
 * The paying client's main path against a real HTTP x402 server and a fake Stacks API, both on
 * loopback: each test decodes what the client actually sent.
 */
import { Cl, isTokenTransferPayload } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import {
  challengeFor,
  expectResponse,
  GENERATED_IDENTIFIER,
  PAY_TO,
  PAYER,
  PAYMENT_ID,
  PRICES,
  payloadOf,
  stacksRequirements,
  TESTNET,
  transactionOf,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';
import {
  DESCRIPTION,
  expectValidPayment,
  HASH,
  receipt,
  STATUS_URL,
  startReceiptServer,
} from './test-support/payment-checks';
import { createX402Client } from './x402-client';

const harness = useClientHarness();
const startServer = () => startReceiptServer(harness);

describe('createX402Client', () => {
  it('pays STX with a token transfer of exactly the price to payTo, and returns the receipt', async () => {
    const server = await startServer();
    const result = expectResponse(await payForHash(harness.client(), server));
    const { requests } = server;

    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/hashing/sha256'],
      ['POST', '/hashing/sha256'],
    ]);
    expect(requests[0].headers['x-payment-token-type']).toBeUndefined();
    expect(requests[0].headers['payment-signature']).toBeUndefined();
    expect(requests[1].body).toBe('{"data":"hello world"}');
    expect(requests[1].headers['content-type']).toBe('application/json');

    const accepted = stacksRequirements('testnet', PAY_TO, { STX: '1000' })[0];
    const tx = expectValidPayment(server, requests[1], accepted);
    if (!isTokenTransferPayload(tx.payload)) throw new Error('not a token transfer');
    expect(tx.payload.recipient).toEqual(Cl.principal(PAY_TO));
    expect(tx.payload.amount).toBe(1000n);
    expect(tx.postConditions.values).toEqual([]);
    // A token transfer is 180 bytes; 3 µSTX per byte.
    expect(tx.auth.spendingCondition.fee).toBe(540n);
    expect(harness.stacksApi.requests).toEqual([
      `GET /extended/v1/address/${PAYER}/nonces`,
      'GET /v2/fees/transfer',
    ]);

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ hash: HASH, note: 'é✓' });
    expect(result.paymentId).toBe(PAYMENT_ID);
    expect(result.checkStatusUrl).toBe(STATUS_URL);
    expect(result.payer).toBe(PAYER);
    expect(result.paymentIdentifier).toMatch(GENERATED_IDENTIFIER);
    expect(payloadOf(requests[1]).extensions).toEqual({
      'payment-identifier': { info: { id: result.paymentIdentifier } },
    });
    expect(result.pending).toBeUndefined();
    expect(result.paymentStatus).toBeUndefined();
    expect(result.paymentResponse).toEqual({
      success: true,
      payer: PAYER,
      transaction: `0x${tx.txid()}`,
      network: TESTNET,
      extensions: { note: 'reçu ✓ 受領' },
    });
    expect(result.payment).toEqual({
      requirement: accepted,
      tokenType: 'STX',
      from: PAYER,
      nonce: 7n,
      fee: 540n,
      txid: `0x${tx.txid()}`,
      transaction: payloadOf(requests[1]).payload.transaction,
    });
    expect(result.paymentRequired?.resource.description).toBe(DESCRIPTION);
  });

  it('signs with the lowest missing nonce when the payer has a gap, so the payment can be mined', async () => {
    const server = await startServer();
    // Pending up to 8 with 4 and 6 missing: a payment at 9 would wait behind the gap forever.
    Object.assign(harness.stacksApi.state, { nextNonce: 9, missingNonces: [6, 4] });
    const result = expectResponse(await payForHash(harness.client(), server));
    expect(result.payment?.nonce).toBe(4n);
    expect(transactionOf(server.requests[1]).auth.spendingCondition.nonce).toBe(4n);
  });

  it('reads the challenge from the body when the payment-required header is absent', async () => {
    const server = await harness.startServer({
      challenge: challengeFor(stacksRequirements('testnet', PAY_TO, PRICES), DESCRIPTION),
      onPaid: receipt,
      omitChallengeHeader: true,
    });
    const result = expectResponse(await payForHash(harness.client(), server));
    expect(result.status).toBe(200);
    expect(payloadOf(server.requests[1]).resource?.description).toBe(DESCRIPTION);
  });

  it('returns a failed settlement as the final response, without paying twice', async () => {
    const server = await harness.startServer({
      onPaid: (request) => ({
        status: 402,
        body: { error: 'transaction_failed', detail: 'échec' },
        settlement: {
          success: false,
          errorReason: 'transaction_failed',
          payer: PAYER,
          transaction: `0x${transactionOf(request).txid()}`,
          network: TESTNET,
        },
      }),
    });
    const result = expectResponse(await payForHash(harness.client(), server));
    expect(server.requests).toHaveLength(2);
    expect(result.status).toBe(402);
    expect(result.body).toEqual({ error: 'transaction_failed', detail: 'échec' });
    expect(result.paymentResponse?.success).toBe(false);
    expect(result.paymentResponse?.errorReason).toBe('transaction_failed');
  });

  it('passes a free response through without paying', async () => {
    const server = await harness.startServer({ onPaid: receipt, freePaths: ['/health'] });
    const result = expectResponse(await harness.client().fetch(`${server.url}/health`));
    expect(result).toMatchObject({ status: 200, body: { free: true } });
    expect(result.payment).toBeUndefined();
    expect(result.paymentIdentifier).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(harness.stacksApi.requests).toEqual([]);
  });

  it('throws coded errors when the API or the Stacks API cannot be reached', async () => {
    const server = await startServer();
    const offline = createX402Client({
      privateKey: harness.privateKey,
      network: 'testnet',
      stacksApiUrl: 'http://127.0.0.1:9',
    });
    await expect(payForHash(offline, server)).rejects.toMatchObject({
      code: 'stacks_api_unreachable',
    });
    await expect(harness.client().fetch('http://127.0.0.1:9/x')).rejects.toMatchObject({
      name: 'X402ClientError',
      code: 'resource_unreachable',
      message: 'cannot reach http://127.0.0.1:9/x',
    });
  });

  it('rejects bad options when the client is created', () => {
    expect(() => harness.client({ privateKey: 'nope' })).toThrow(
      'privateKey is not a valid private key',
    );
    expect(() => harness.client({ maxAmount: '-1' })).toThrow(
      'maxAmount must be a non-negative integer',
    );
    expect(() => harness.client({ budget: { STX: -1n } })).toThrow(
      'budget.STX must be a non-negative bigint',
    );
    expect(() => harness.client({ maxAmountPerCall: { BTC: 1n } as never })).toThrow(
      'maxAmountPerCall has unknown token BTC',
    );
    expect(() => harness.client({ deliveryTimeoutMs: -5 })).toThrow(
      'deliveryTimeoutMs must be a non-negative number of ms',
    );
  });
});
