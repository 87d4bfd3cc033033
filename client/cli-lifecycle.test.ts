/**
 * `npm run pay` and the payment lifecycle: `--status` (free, pays nothing), a 202 waited out with
 * the statuses seen and the request sent again with the same payment, and `--no-wait` with `--id`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStacksApi, startFakeStacksApi } from '../test/support/fake-stacks-api';
import type { PaymentStatus } from './payment-status';
import {
  type FakePaidApi,
  type FakePaidApiOptions,
  pendingReply,
  startFakePaidApi,
  statusReport,
} from './test-support/fake-paid-api';
import {
  challengeFor,
  deliveredReply,
  identifierOf,
  PAY_TO,
  PAYER,
  PAYMENT_ID,
  SBTC,
  STACKS_READS,
  stacksRequirements,
  transactionOf,
} from './test-support/fixtures';
import { runPayCli } from './test-support/run-cli';
import { stuckBroadcast } from './test-support/stuck-broadcast';

const STATUS_PATH = `/payment-status/${PAYMENT_ID}`;
let stacksApi: FakeStacksApi;
let server: FakePaidApi | undefined;

beforeAll(async () => {
  stacksApi = await startFakeStacksApi({ nextNonce: 4, feeRate: 1 });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  stacksApi.requests.length = 0;
});
afterAll(() => stacksApi.close());

async function startServer(options: Partial<FakePaidApiOptions>): Promise<FakePaidApi> {
  server = await startFakePaidApi({
    challenge: challengeFor(stacksRequirements('testnet', PAY_TO, { STX: '1000' })),
    onPaid: () => ({ status: 500, body: { error: 'unexpected payment' } }),
    ...options,
  });
  return server;
}

function pay(api: FakePaidApi, ...args: string[]) {
  return runPayCli({ X402_API_URL: api.url, STACKS_API_URL: stacksApi.url }, args);
}

function statusAt(url: string, history: PaymentStatus[]) {
  return { status: 200, body: statusReport(url, PAYMENT_ID, history) };
}

describe('npm run pay -- --status', () => {
  it('prints the canonical status and its history, paying nothing', async () => {
    const api = await startServer({
      onStatus: (_id, _index, url) => {
        const report = statusReport(
          url,
          PAYMENT_ID,
          ['queued', 'broadcasting', 'mempool', 'confirmed'],
          {
            asset: SBTC,
            amount: '2',
            confirmedAt: '2030-01-02T12:00:03.000Z',
            blockHeight: 42,
            owedAmount: '2',
            terminalReason: 'handler_failed',
            delivery: 'confirmed',
            delivered: true,
          },
        );
        report.history[1].reason = 'node timeout';
        return { status: 200, body: report };
      },
    });
    const { code, stdout, stderr } = await pay(api, '--status', PAYMENT_ID);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `Payment ${PAYMENT_ID}: confirmed`,
      '  POST /hashing/sha256, 2 sats (0.00000002 sBTC) on stacks:2147483648',
      `  tx 0x${'5a'.repeat(32)}, payer ${PAYER}`,
      '  created 2030-01-02T12:00:00.000Z, updated 2030-01-02T12:00:03.000Z',
      '  confirmed 2030-01-02T12:00:03.000Z in block 42',
      '  delivery at confirmed, delivered',
      '  reason: handler_failed',
      '  owed to the payer: 2 sats (0.00000002 sBTC)',
      'History:',
      '  2030-01-02T12:00:00.000Z  queued',
      '  2030-01-02T12:00:01.000Z  broadcasting (node timeout)',
      '  2030-01-02T12:00:02.000Z  mempool',
      '  2030-01-02T12:00:03.000Z  confirmed',
      `Status URL: ${api.url}${STATUS_PATH}`,
      '',
    ]);
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${STATUS_PATH}`,
    ]);
    expect(stacksApi.requests).toEqual([]);
  });

  it('exits 1 with the server’s sentence for an unknown payment', async () => {
    const api = await startServer({});
    const { code, stdout, stderr } = await pay(api, '--status', 'pay_unknown');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `error: GET ${api.url}/payment-status/pay_unknown answered 404: No payment pay_unknown. (payment_not_found)\n`,
    );
  });
});

describe('npm run pay after 202', () => {
  it('waits, printing the statuses seen, then prints the delivered result', async () => {
    let baseUrl = '';
    const api = await startServer({
      onPaid: (request, index) =>
        index === 0 ? pendingReply(baseUrl, PAYMENT_ID, 'mempool') : deliveredReply(request),
      onStatus: (_id, index, url) =>
        statusAt(url, index === 0 ? ['queued', 'mempool'] : ['queued', 'mempool', 'confirmed']),
    });
    baseUrl = api.url;
    const { code, stdout, stderr } = await pay(api, 'POST', '/hashing/sha256', '{}');
    const [paid] = api.paidRequests();
    const txid = `0x${transactionOf(paid).txid()}`;
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(3)).toEqual([
      `Paying 1000 microSTX (0.001 STX) from ${PAYER} (wallet_1)`,
      `  tx ${txid} (nonce 4, fee 300 microSTX)`,
      `  payment identifier ${identifierOf(paid)}`,
      `202 Accepted: payment ${PAYMENT_ID} is mempool; waiting for delivery`,
      '  status mempool',
      '  status confirmed',
      '200 OK',
      '{',
      '  "hash": "b94d27b9"',
      '}',
      `Receipt: settled, tx ${txid}, network stacks:2147483648`,
      `Payment id: ${PAYMENT_ID} (status, free: ${api.url}${STATUS_PATH})`,
      '',
    ]);
    expect(stderr.split('\n')).toEqual([
      `waiting: payment ${PAYMENT_ID} is mempool`,
      `waiting: payment ${PAYMENT_ID} is confirmed`,
      'waiting: sent the request again with the same payment (deliverable): 200 OK',
      '',
    ]);
    expect(api.paidRequests()).toHaveLength(2);
  });

  it('while the payment is broadcasting, sends the same payment again and says so once per answer', async () => {
    const api = await startServer(stuckBroadcast(2));
    const { code, stdout, stderr } = await pay(api, 'POST', '/hashing/sha256', '{}');
    const paid = api.paidRequests();
    const signature = paid[0].headers['payment-signature'];
    const txid = `0x${transactionOf(paid[0]).txid()}`;
    expect(paid.map((request) => request.headers['payment-signature'])).toEqual([
      signature,
      signature,
      signature,
      signature,
    ]);
    expect(stacksApi.requests).toEqual(STACKS_READS);
    expect(code).toBe(0);
    expect(stderr.split('\n')).toEqual([
      `waiting: payment ${PAYMENT_ID} is broadcasting`,
      'waiting: sent the request again with the same payment (still broadcasting): 202 Accepted',
      'waiting: sent the request again with the same payment (still broadcasting): 200 OK',
      '',
    ]);
    expect(stdout.split('\n').slice(3)).toEqual([
      `Paying 1000 microSTX (0.001 STX) from ${PAYER} (wallet_1)`,
      `  tx ${txid} (nonce 4, fee 300 microSTX)`,
      `  payment identifier ${identifierOf(paid[0])}`,
      `202 Accepted: payment ${PAYMENT_ID} is broadcasting; waiting for delivery`,
      '  status broadcasting',
      '200 OK',
      '{',
      '  "hash": "b94d27b9"',
      '}',
      `Receipt: settled, tx ${txid}, network stacks:2147483648`,
      `Payment id: ${PAYMENT_ID} (status, free: ${api.url}${STATUS_PATH})`,
      '',
    ]);
  });

  it('with --no-wait and --id, stops at the 202 and says how to follow and collect it (exit 3)', async () => {
    let baseUrl = '';
    const api = await startServer({
      onPaid: () => pendingReply(baseUrl, PAYMENT_ID, 'broadcasting', 2),
      onStatus: (_id, _index, url) => statusAt(url, ['queued', 'broadcasting', 'mempool']),
    });
    baseUrl = api.url;
    const id = 'nightly-report-2030-01-02';
    const { code, stdout, stderr } = await pay(
      api,
      'POST',
      '/hashing/sha256',
      '{}',
      '--no-wait',
      '--id',
      id,
    );
    const [paid] = api.paidRequests();
    expect(identifierOf(paid)).toBe(id);
    expect(code).toBe(3);
    expect(stderr).toBe('');
    expect(stdout.split('\n').slice(5)).toEqual([
      `  payment identifier ${id}`,
      `202 Accepted: payment ${PAYMENT_ID} is broadcasting; not waiting (--no-wait)`,
      `Payment id: ${PAYMENT_ID} (status, free: ${api.url}${STATUS_PATH})`,
      `Not delivered yet: follow it with \`npm run pay -- --status ${PAYMENT_ID}\`, then repeat this call with \`--id ${id}\` to collect the result without paying twice`,
      '',
    ]);
    expect(api.requests.map((request) => request.path)).toEqual([
      '/hashing/sha256',
      '/hashing/sha256',
    ]);
  });
});
