/**
 * End to end over real HTTP: the devnet and `wrangler dev` run as separate processes on free
 * ports; the client pays for `/hashing/sha256` once in each token, and the devnet's balances show
 * that exactly the price moved from the payer to payTo (and the payer paid the STX fee).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client } from '../../client';
import { getDevnetAccount } from '../../devnet/accounts';
import { REPO_ROOT, TSX_BIN } from '../../scripts/process-group';
import type { TokenType } from '../../src/stacks/tokens';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { balanceOf, HELLO_WORLD_SHA256, PAY_TO } from './helpers';

const PRICES: Record<TokenType, bigint> = { STX: 1000n, sBTC: 2n, USDCx: 1000n };

let devnet: RunningProcess;
let worker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  worker = await startWorkerProcess({ vars: { STACKS_API_URL: devnet.url } });
});

afterAll(async () => {
  await worker?.stop();
  await devnet?.stop();
});

async function waitForStatus(
  txid: string,
  timeoutMs = 20_000,
): Promise<{ tx_status: string; block_height?: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${devnet.url}/extended/v1/tx/${txid}`);
    const tx = (await res.json()) as { tx_status: string; block_height?: number };
    if (tx.tx_status !== 'pending' || Date.now() > deadline) return tx;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('paying for /hashing/sha256 on the devnet', () => {
  it.each(['STX', 'sBTC', 'USDCx'] as const)(
    'in %s moves exactly the price from payer to payTo',
    async (token) => {
      const payer = await getDevnetAccount('wallet_3');
      const client = createX402Client({
        privateKey: payer.privateKey,
        network: 'testnet',
        stacksApiUrl: devnet.url,
        preferredToken: token,
      });
      const before = {
        payerToken: await balanceOf(devnet.url, payer.address, token),
        payerStx: await balanceOf(devnet.url, payer.address, 'STX'),
        payToToken: await balanceOf(devnet.url, PAY_TO, token),
      };

      const result = await client.fetch(`${worker.url}/hashing/sha256`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'hello world' }),
      });
      if (result.type !== 'response') throw new Error(`refused: ${result.message}`);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        hash: HELLO_WORLD_SHA256,
        algorithm: 'sha256',
        encoding: 'hex',
        inputLength: 11,
      });
      const payment = result.payment;
      if (!payment) throw new Error('no payment was made');
      expect(payment.tokenType).toBe(token);
      expect(result.paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
      const checkStatusUrl = `${worker.url}/payment-status/${result.paymentId}`;
      expect(result.paymentResponse).toEqual({
        success: true,
        payer: payer.address,
        transaction: payment.txid,
        network: 'stacks:2147483648',
        extensions: { 'payment-status': { paymentId: result.paymentId, checkStatusUrl } },
      });
      expect(result.payer).toBe(payer.address);

      expect(await waitForStatus(payment.txid)).toMatchObject({ tx_status: 'success' });
      const price = PRICES[token];
      const after = {
        payerToken: await balanceOf(devnet.url, payer.address, token),
        payerStx: await balanceOf(devnet.url, payer.address, 'STX'),
        payToToken: await balanceOf(devnet.url, PAY_TO, token),
      };
      expect(after.payToToken - before.payToToken).toBe(price);
      if (token === 'STX') {
        expect(before.payerStx - after.payerStx).toBe(price + payment.fee);
      } else {
        expect(before.payerToken - after.payerToken).toBe(price);
        expect(before.payerStx - after.payerStx).toBe(payment.fee);
      }
    },
  );

  it('works from the command line a newcomer runs (npm run pay)', async () => {
    const { stdout } = await promisify(execFile)(
      TSX_BIN,
      [
        'client/cli.ts',
        'POST',
        '/hashing/sha256',
        '{"data":"hello world"}',
        '--token',
        'USDCx',
        '--account',
        'wallet_4',
        '--api',
        worker.url,
        '--stacks-api',
        devnet.url,
      ],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    expect(stdout).toContain('200');
    expect(stdout).toContain(HELLO_WORLD_SHA256);
    expect(stdout).toContain('ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND');
    expect(stdout).toMatch(/pay_[0-9a-f]{32}/);
  });
});
