/**
 * `npm run pay` as a user runs it: a real child process against a loopback x402 server and a fake
 * Stacks API, checking what it prints and its exit code.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deserializeTransaction } from '@stacks/transactions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentPayload } from '../src/payment/protocol';
import { type FakeStacksApi, startFakeStacksApi } from '../test/support/fake-stacks-api';
import {
  type FakeX402Server,
  stacksRequirements,
  startFakeX402Server,
} from '../test/support/fake-x402-server';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAY_TO = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP';
const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const TXID = `0x${'12'.repeat(32)}`;

let stacksApi: FakeStacksApi;
let server: FakeX402Server;

beforeAll(async () => {
  stacksApi = await startFakeStacksApi({ nextNonce: 4, feeRate: 1 });
  server = await startFakeX402Server({
    challenge: (url) => ({
      x402Version: 2,
      resource: { url, description: 'SHA-256 of text' },
      accepts: stacksRequirements('testnet', PAY_TO, { STX: '1000', sBTC: '2', USDCx: '1500' }),
    }),
    onPaid: () => ({
      status: 200,
      body: { hash: 'b94d27b9' },
      headers: { 'x-payment-id': `pay_${'cd'.repeat(16)}` },
      settlement: { success: true, payer: PAYER, transaction: TXID, network: 'stacks:2147483648' },
    }),
  });
});
afterAll(async () => {
  await server.close();
  await stacksApi.close();
});

async function pay(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, X402_API_URL: server.url, STACKS_API_URL: stacksApi.url };
  try {
    const { stdout, stderr } = await run(
      `${ROOT}node_modules/.bin/tsx`,
      [`${ROOT}client/cli.ts`, ...args],
      {
        env,
        cwd: ROOT,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
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
    expect(paid?.body).toBe('{"data":"hello world"}');
    const payload = paid?.paymentPayload as PaymentPayload;
    const txid = `0x${deserializeTransaction(payload.payload.transaction).txid()}`;
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
      '200 OK',
      '{',
      '  "hash": "b94d27b9"',
      '}',
      `Receipt: settled, tx ${TXID}, payer ${PAYER}, network stacks:2147483648`,
      `Payment id: pay_${'cd'.repeat(16)} (free: GET /payment-status/pay_${'cd'.repeat(16)})`,
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
    const { code, stderr } = await pay('POST', '/hashing/sha256', '{"data":');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('error: the body is not valid JSON: {"data":');
  });
});
