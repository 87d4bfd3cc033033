/**
 * The paying client against a real HTTP x402 server and a fake Stacks API, both on loopback:
 * each test decodes what the client actually sent and checks the signed transaction field by field.
 */
import {
  AddressVersion,
  addressFromVersionHash,
  addressToString,
  Cl,
  type ContractCallPayload,
  deserializeTransaction,
  isContractCallPayload,
  isTokenTransferPayload,
  PostConditionMode,
  type StacksTransactionWire,
  serializeTransaction,
  wireToPostCondition,
} from '@stacks/transactions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDevnetAccount } from '../devnet/accounts';
import type { PaymentPayload, PaymentRequired, PaymentRequirements } from '../src/payment/protocol';
import { type FakeStacksApi, startFakeStacksApi } from '../test/support/fake-stacks-api';
import {
  type FakeReply,
  type FakeX402Server,
  type FakeX402ServerOptions,
  type RecordedRequest,
  stacksRequirements,
  startFakeX402Server,
} from '../test/support/fake-x402-server';
import { X402ClientError } from './errors';
import { createX402Client, type X402ClientOptions, type X402Result } from './x402-client';

const PAY_TO = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP'; // devnet wallet_8
const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5'; // devnet wallet_1
const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';
const USDCX = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx';
const PRICES = { STX: '1000', sBTC: '2', USDCx: '1500' };
// Non-ASCII on purpose: base64 of UTF-8 must carry it both ways unchanged.
const DESCRIPTION = 'SHA-256 — « données » 漢字 🚀';

let privateKey: string;
let stacksApi: FakeStacksApi;
let server: FakeX402Server | undefined;

beforeAll(async () => {
  privateKey = (await getDevnetAccount('wallet_1')).privateKey;
  stacksApi = await startFakeStacksApi({ nextNonce: 7, feeRate: 3 });
});
afterAll(() => stacksApi.close());
beforeEach(async () => {
  Object.assign(stacksApi.state, { nextNonce: 7, feeRate: 3 });
  stacksApi.requests.length = 0;
  await server?.close();
  server = undefined;
});

function challengeFor(accepts: PaymentRequirements[]) {
  return (resourceUrl: string): PaymentRequired => ({
    x402Version: 2,
    error: 'payment required',
    resource: { url: resourceUrl, description: DESCRIPTION, mimeType: 'application/json' },
    accepts,
  });
}

function receipt(request: RecordedRequest): FakeReply {
  return {
    status: 200,
    body: { hash: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9', note: 'é✓' },
    headers: { 'x-payment-id': `pay_${'ab'.repeat(16)}`, 'x-payer-address': PAYER },
    settlement: {
      success: true,
      payer: PAYER,
      transaction: `0x${transactionOf(request).txid()}`,
      network: 'stacks:2147483648',
      extensions: { note: 'reçu ✓ 受領' },
    },
  };
}

async function startServer(overrides: Partial<FakeX402ServerOptions> = {}) {
  server = await startFakeX402Server({
    challenge: challengeFor(stacksRequirements('testnet', PAY_TO, PRICES)),
    onPaid: receipt,
    ...overrides,
  });
  return server;
}

function client(options: Partial<X402ClientOptions> = {}) {
  return createX402Client({
    privateKey,
    network: 'testnet',
    stacksApiUrl: stacksApi.url,
    ...options,
  });
}

function payloadOf(request: RecordedRequest): PaymentPayload {
  return request.paymentPayload as PaymentPayload;
}

function transactionOf(request: RecordedRequest): StacksTransactionWire {
  return deserializeTransaction(payloadOf(request).payload.transaction);
}

function signerAddress(tx: StacksTransactionWire): string {
  const { signer } = tx.auth.spendingCondition;
  return addressToString(addressFromVersionHash(AddressVersion.TestnetSingleSig, signer));
}

/** Checks what every paid retry must satisfy, whatever the token. */
function expectValidPayment(request: RecordedRequest, accepted: PaymentRequirements) {
  const payload = payloadOf(request);
  expect(payload.x402Version).toBe(2);
  expect(payload.accepted).toEqual(accepted);
  expect(payload.resource).toEqual({
    url: `${server?.url}/hashing/sha256`,
    description: DESCRIPTION,
    mimeType: 'application/json',
  });
  const tx = transactionOf(request);
  // The hex is the canonical serialization: nothing trailing, nothing re-encoded.
  expect(serializeTransaction(tx)).toBe(payload.payload.transaction);
  expect(tx.transactionVersion).toBe(0x80);
  expect(tx.chainId).toBe(0x80000000);
  expect(signerAddress(tx)).toBe(PAYER);
  expect(() => tx.verifyOrigin()).not.toThrow();
  expect(tx.auth.spendingCondition.nonce).toBe(7n);
  return tx;
}

/** `POST /hashing/sha256` with a JSON body, through `payer`. */
function payForHash(payer = client()) {
  return payer.fetch(`${server?.url}/hashing/sha256`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"data":"hello world"}',
  });
}

function expectResponse(result: X402Result) {
  if (result.type !== 'response') throw new Error(`expected a response, got ${result.message}`);
  return result;
}

function expectRefusal(result: X402Result) {
  if (result.type !== 'refused') throw new Error(`expected a refusal, got ${result.status}`);
  return result;
}

describe('createX402Client', () => {
  it('pays STX with a token transfer of exactly the price to payTo, and returns the receipt', async () => {
    const { requests } = await startServer();
    const result = expectResponse(await payForHash());

    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/hashing/sha256'],
      ['POST', '/hashing/sha256'],
    ]);
    expect(requests[0].headers['x-payment-token-type']).toBeUndefined();
    expect(requests[0].headers['payment-signature']).toBeUndefined();
    expect(requests[1].body).toBe('{"data":"hello world"}');
    expect(requests[1].headers['content-type']).toBe('application/json');

    const accepted = stacksRequirements('testnet', PAY_TO, { STX: '1000' })[0];
    const tx = expectValidPayment(requests[1], accepted);
    if (!isTokenTransferPayload(tx.payload)) throw new Error('not a token transfer');
    expect(tx.payload.recipient).toEqual(Cl.principal(PAY_TO));
    expect(tx.payload.amount).toBe(1000n);
    expect(tx.postConditions.values).toEqual([]);
    // A token transfer is 180 bytes; 3 µSTX per byte.
    expect(tx.auth.spendingCondition.fee).toBe(540n);
    expect(stacksApi.requests).toEqual([
      `GET /extended/v1/address/${PAYER}/nonces`,
      'GET /v2/fees/transfer',
    ]);

    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      hash: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
      note: 'é✓',
    });
    expect(result.paymentId).toBe(`pay_${'ab'.repeat(16)}`);
    expect(result.payer).toBe(PAYER);
    expect(result.paymentResponse).toEqual({
      success: true,
      payer: PAYER,
      transaction: `0x${tx.txid()}`,
      network: 'stacks:2147483648',
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

  it('pays sBTC with transfer(amount, payer, payTo, none) in deny mode with one exact post-condition', async () => {
    const { requests } = await startServer();
    const result = expectResponse(await payForHash(client({ preferredToken: 'sBTC' })));

    expect(requests[0].headers['x-payment-token-type']).toBe('sBTC');
    expect(requests[1].headers['x-payment-token-type']).toBe('sBTC');
    const accepted = stacksRequirements('testnet', PAY_TO, { sBTC: '2' })[0];
    expect(accepted.asset).toBe(SBTC);
    const tx = expectValidPayment(requests[1], accepted);
    expectTokenTransferCall(tx, SBTC, 2n);
    expect(tx.postConditions.values.map(wireToPostCondition)).toEqual([
      {
        type: 'ft-postcondition',
        address: PAYER,
        condition: 'eq',
        amount: '2',
        asset: `${SBTC}::sbtc-token`,
      },
    ]);
    const length = payloadOf(requests[1]).payload.transaction.length / 2;
    expect(length).toBe(CONTRACT_CALL_LENGTH.sBTC);
    expect(tx.auth.spendingCondition.fee).toBe(BigInt(3 * CONTRACT_CALL_LENGTH.sBTC));
    expect(result.payment?.tokenType).toBe('sBTC');
    expect(result.status).toBe(200);
  });

  it('pays USDCx on its own contract with the usdcx-token post-condition', async () => {
    const { requests } = await startServer();
    const result = expectResponse(await payForHash(client({ preferredToken: 'USDCx' })));

    const accepted = stacksRequirements('testnet', PAY_TO, { USDCx: '1500' })[0];
    expect(accepted.asset).toBe(USDCX);
    const tx = expectValidPayment(requests[1], accepted);
    expectTokenTransferCall(tx, USDCX, 1500n);
    expect(tx.postConditions.values.map(wireToPostCondition)).toEqual([
      {
        type: 'ft-postcondition',
        address: PAYER,
        condition: 'eq',
        amount: '1500',
        asset: `${USDCX}::usdcx-token`,
      },
    ]);
    expect(tx.auth.spendingCondition.fee).toBe(BigInt(3 * CONTRACT_CALL_LENGTH.USDCx));
    expect(result.payment?.tokenType).toBe('USDCx');
  });

  it('pays the first entry when the preferred token is not offered', async () => {
    const accepts = stacksRequirements('testnet', PAY_TO, { USDCx: '1500', STX: '1000' });
    const { requests } = await startServer({ challenge: challengeFor(accepts) });
    const result = expectResponse(await payForHash(client({ preferredToken: 'sBTC' })));
    expect(payloadOf(requests[1]).accepted).toEqual(accepts[0]);
    expect(result.payment?.tokenType).toBe('USDCx');
  });

  it('refuses a price above maxAmount, before signing or sending anything', async () => {
    const { requests } = await startServer();
    const refusal = expectRefusal(await payForHash(client({ maxAmount: 999n })));
    expect(refusal.code).toBe('amount_above_cap');
    expect(refusal.message).toBe('the price is 1000 (atomic STX), above the cap of 999');
    expect(refusal.status).toBe(402);
    expect(refusal.paymentRequired?.accepts).toHaveLength(3);
    expect(requests).toHaveLength(1);
    expect(stacksApi.requests).toEqual([]);

    // The cap applies to the chosen token: 2 sats is within a cap of 999.
    expectResponse(await payForHash(client({ maxAmount: '999', preferredToken: 'sBTC' })));
  });

  it('refuses requirements on another network', async () => {
    const { requests } = await startServer({
      challenge: challengeFor(stacksRequirements('mainnet', PAY_TO, PRICES)),
    });
    const refusal = expectRefusal(await payForHash());
    expect(refusal.code).toBe('network_mismatch');
    expect(refusal.message).toBe(
      'the server asks for payment on stacks:1, but this client pays on testnet (stacks:2147483648)',
    );
    expect(requests).toHaveLength(1);
  });

  it('refuses a 402 that is not x402 v2', async () => {
    await startServer({
      challenge: (url) => ({ ...challengeFor([])(url), x402Version: 1 }),
    });
    const refusal = expectRefusal(await payForHash());
    expect(refusal.code).toBe('invalid_payment_required');
    expect(refusal.message).toBe('x402Version is 1, not 2');
  });

  it('reads the challenge from the body when the payment-required header is absent', async () => {
    const { requests } = await startServer({ omitChallengeHeader: true });
    const result = expectResponse(await payForHash());
    expect(result.status).toBe(200);
    expect(payloadOf(requests[1]).resource?.description).toBe(DESCRIPTION);
  });

  it('applies the fee floor, and a fixed fee without asking for the rate', async () => {
    stacksApi.state.feeRate = 0;
    await startServer();
    expect(expectResponse(await payForHash()).payment?.fee).toBe(300n);

    stacksApi.requests.length = 0;
    expect(expectResponse(await payForHash(client({ fee: 1234 }))).payment?.fee).toBe(1234n);
    expect(stacksApi.requests).toEqual([`GET /extended/v1/address/${PAYER}/nonces`]);
  });

  it('refuses an estimated fee above maxFee', async () => {
    stacksApi.state.feeRate = 1000;
    await startServer();
    const refusal = expectRefusal(await payForHash());
    expect(refusal.code).toBe('fee_above_cap');
    expect(refusal.message).toBe('the estimated fee of 180000 µSTX is above the cap of 100000');
  });

  it('returns a failed settlement as the final response, without paying twice', async () => {
    const { requests } = await startServer({
      onPaid: (request) => ({
        status: 402,
        body: { error: 'transaction_failed', detail: 'échec' },
        settlement: {
          success: false,
          errorReason: 'transaction_failed',
          payer: PAYER,
          transaction: `0x${transactionOf(request).txid()}`,
          network: 'stacks:2147483648',
        },
      }),
    });
    const result = expectResponse(await payForHash());
    expect(requests).toHaveLength(2);
    expect(result.status).toBe(402);
    expect(result.body).toEqual({ error: 'transaction_failed', detail: 'échec' });
    expect(result.paymentResponse?.success).toBe(false);
    expect(result.paymentResponse?.errorReason).toBe('transaction_failed');
  });

  it('passes a free response through without paying', async () => {
    const { requests } = await startServer({ freePaths: ['/health'] });
    const result = expectResponse(await client().fetch(`${server?.url}/health`));
    expect(result).toMatchObject({ status: 200, body: { free: true } });
    expect(result.payment).toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(stacksApi.requests).toEqual([]);
  });

  it('throws coded errors when the API or the Stacks API cannot be reached', async () => {
    await startServer();
    const offline = createX402Client({
      privateKey,
      network: 'testnet',
      stacksApiUrl: 'http://127.0.0.1:9',
    });
    await expect(payForHash(offline)).rejects.toMatchObject({ code: 'stacks_api_unreachable' });
    await expect(client().fetch('http://127.0.0.1:9/x')).rejects.toMatchObject({
      name: 'X402ClientError',
      code: 'resource_unreachable',
      message: 'cannot reach http://127.0.0.1:9/x',
    });
    expect(() => client({ privateKey: 'nope' })).toThrow(X402ClientError);
    expect(() => client({ maxAmount: '-1' })).toThrow('maxAmount must be a non-negative integer');
  });
});

/** Serialized length of a SIP-010 transfer transaction (contract names differ in length). */
const CONTRACT_CALL_LENGTH = { sBTC: 298, USDCx: 289 };

function expectTokenTransferCall(tx: StacksTransactionWire, contractId: string, amount: bigint) {
  if (!isContractCallPayload(tx.payload)) throw new Error('not a contract call');
  const payload: ContractCallPayload = tx.payload;
  expect(`${addressToString(payload.contractAddress)}.${payload.contractName.content}`).toBe(
    contractId,
  );
  expect(payload.functionName.content).toBe('transfer');
  expect(payload.functionArgs).toEqual([
    Cl.uint(amount),
    Cl.principal(PAYER),
    Cl.principal(PAY_TO),
    Cl.none(),
  ]);
  expect(tx.postConditionMode).toBe(PostConditionMode.Deny);
}
