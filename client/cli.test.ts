/**
 * `npm run pay` as a user runs it: a real child process against a loopback x402 server and a fake
 * Stacks API, checking what it prints and its exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStacksApi, startFakeStacksApi } from '../test/support/fake-stacks-api';
import { type FakePaidApi, startFakePaidApi } from './test-support/fake-paid-api';
import {
  challengeFor,
  identifierOf,
  PAY_TO,
  PAYER,
  PRICES,
  stacksRequirements,
  transactionOf,
} from './test-support/fixtures';
import { runPayCli } from './test-support/run-cli';

const PAYMENT_ID = `pay_${'cd'.repeat(16)}`;

let stacksApi: FakeStacksApi;
let server: FakePaidApi;

beforeAll(async () => {
  stacksApi = await startFakeStacksApi({ nextNonce: 4, feeRate: 1 });
  server = await startFakePaidApi({
    challenge: challengeFor(stacksRequirements('testnet', PAY_TO, PRICES)),
    onPaid: (request) => ({
      status: 200,
      body: { hash: 'b94d27b9' },
      headers: { 'x-payment-id': PAYMENT_ID },
      settlement: {
        success: true,
        payer: PAYER,
        transaction: `0x${transactionOf(request).txid()}`,
        network: 'stacks:2147483648',
      },
    }),
  });
});
afterAll(async () => {
  await server.close();
  await stacksApi.close();
});

function pay(...args: string[]) {
  return runPayCli({ X402_API_URL: server.url, STACKS_API_URL: stacksApi.url }, args);
}

describe('npm run pay', () => {
  it('pays with the chosen token and prints the challenge, the payment, the result and the receipt', async () => {
    const { code, stdout } = await pay(
      'POST',
      '/hashing/sha256',
      '{"data":"hello world"}',
      '--token',
      'sbtc',
    );
    const paid = server.requests.at(-1);
    if (paid === undefined) throw new Error('no request');
    expect(paid.body).toBe('{"data":"hello world"}');
    const txid = `0x${transactionOf(paid).txid()}`;
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `POST ${server.url}/hashing/sha256`,
      `402 Payment Required: ${server.url}/hashing/sha256 (SHA-256 of text)`,
      `  STX    1000 microSTX (0.001 STX) to ${PAY_TO} on stacks:2147483648`,
      `  sBTC   2 sats (0.00000002 sBTC) to ${PAY_TO} on stacks:2147483648`,
      `  USDCx  1500 microUSDCx (0.0015 USDCx) to ${PAY_TO} on stacks:2147483648`,
      `Paying 2 sats (0.00000002 sBTC) from ${PAYER} (wallet_1)`,
      // A 298-byte sBTC transfer at 1 µSTX/byte is under the 300 µSTX floor.
      `  tx ${txid} (nonce 4, fee 300 microSTX)`,
      `  payment identifier ${identifierOf(paid)}`,
      '200 OK',
      '{',
      '  "hash": "b94d27b9"',
      '}',
      `Receipt: settled, tx ${txid}, payer ${PAYER}, network stacks:2147483648`,
      `Payment id: ${PAYMENT_ID} (status, free: ${server.url}/payment-status/${PAYMENT_ID})`,
      '',
    ]);
  });

  it('exits 1 and says why when it will not pay', async () => {
    const { code, stdout } = await pay('POST', '/hashing/sha256', '{}', '--max', '999');
    expect(code).toBe(1);
    expect(stdout.trim().split('\n').at(-1)).toBe(
      'Not paying (amount_above_cap): the price is 1000 (atomic STX), above the cap of 999',
    );
  });

  it('prints one clear line when the API is not running', async () => {
    const { code, stdout, stderr } = await pay('GET', '/health', '--api', 'http://127.0.0.1:9');
    expect(code).toBe(1);
    expect(stdout).toBe('GET http://127.0.0.1:9/health\n');
    expect(stderr).toBe(
      'error: cannot reach the API at http://127.0.0.1:9: is `npm run dev` running?\n',
    );
  });

  it('prints one clear line when the Stacks API is not running', async () => {
    const { code, stderr } = await pay(
      'POST',
      '/hashing/sha256',
      '{}',
      '--stacks-api',
      'http://127.0.0.1:9',
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: cannot reach the Stacks API at http://127.0.0.1:9: is `npm run dev` (or `npm run devnet`) running?\n',
    );
  });

  it('exits 2 on a usage error', async () => {
    const cases = [
      [['POST', '/hashing/sha256', '{"data":'], 'error: the body is not valid JSON: {"data":'],
      [
        ['POST', '/x', '--id', 'short'],
        'error: --id must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -',
      ],
      [
        ['POST', '/x', '--status', PAYMENT_ID],
        'error: --status takes a payment id, not a method or path',
      ],
    ] as const;
    for (const [args, message] of cases) {
      const { code, stderr } = await pay(...args);
      expect(code).toBe(2);
      expect(stderr.split('\n')[0]).toBe(message);
    }
  });
});
