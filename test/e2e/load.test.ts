/**
 * A load test without timing assertions (issue 3): 200 paid calls from four concurrent clients in
 * three tokens, then the responses, the Worker's ledger (through /payment-status) and the devnet
 * balances must agree to the last atomic unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client } from '../../client';
import { type DevnetAccountName, getDevnetAccount } from '../../devnet/accounts';
import { TOKEN_TYPES, type TokenType } from '../../src/stacks/tokens';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { balanceOf, PAY_TO, paymentStatus, waitForPaymentStatus } from './helpers';

const CLIENTS: DevnetAccountName[] = ['wallet_1', 'wallet_2', 'wallet_3', 'wallet_4'];
const CALLS_PER_CLIENT = 50;

let devnet: RunningProcess;
let worker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 250 });
  worker = await startWorkerProcess({ vars: { STACKS_API_URL: devnet.url } });
});

afterAll(async () => {
  await worker?.stop();
  await devnet?.stop();
});

type Totals = Record<TokenType, bigint>;
const zero = (): Totals => ({ STX: 0n, sBTC: 0n, USDCx: 0n });

async function snapshot(address: string): Promise<Totals> {
  const totals = zero();
  for (const token of TOKEN_TYPES) totals[token] = await balanceOf(devnet.url, address, token);
  return totals;
}

interface Paid {
  account: DevnetAccountName;
  token: TokenType;
  fee: bigint;
  paymentId: string;
}

describe('200 paid calls from concurrent clients', () => {
  it('leave the responses, the ledger and the chain in agreement to the last atomic unit', {
    timeout: 240_000,
  }, async () => {
    const accounts = await Promise.all(CLIENTS.map((name) => getDevnetAccount(name)));
    const before = new Map(
      await Promise.all(accounts.map(async (a) => [a.address, await snapshot(a.address)] as const)),
    );
    const payToBefore = await snapshot(PAY_TO);

    const runClient = async (index: number): Promise<Paid[]> => {
      const account = accounts[index];
      const paid: Paid[] = [];
      for (let call = 0; call < CALLS_PER_CLIENT; call++) {
        const token = TOKEN_TYPES[(index + call) % TOKEN_TYPES.length];
        const client = createX402Client({
          privateKey: account.privateKey,
          network: 'testnet',
          stacksApiUrl: devnet.url,
          preferredToken: token,
        });
        const data = `${account.name}:${call}`;
        const result = await client.fetch(`${worker.url}/hashing/sha256`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ data }),
        });
        if (
          result.type !== 'response' ||
          result.status !== 200 ||
          !result.payment ||
          !result.paymentId
        ) {
          throw new Error(
            `call ${data} failed: ${JSON.stringify(result.type === 'response' ? result.body : result.message)}`,
          );
        }
        const expected = new Uint8Array(
          await crypto.subtle.digest('SHA-256', new TextEncoder().encode(data)),
        );
        expect(result.body).toEqual({
          hash: `0x${Buffer.from(expected).toString('hex')}`,
          algorithm: 'sha256',
          encoding: 'hex',
          inputLength: data.length,
        });
        expect(result.payment.tokenType).toBe(token);
        paid.push({
          account: CLIENTS[index],
          token,
          fee: result.payment.fee,
          paymentId: result.paymentId,
        });
      }
      return paid;
    };
    const payments = (await Promise.all(CLIENTS.map((_, index) => runClient(index)))).flat();
    expect(payments).toHaveLength(CLIENTS.length * CALLS_PER_CLIENT);
    expect(new Set(payments.map((p) => p.paymentId)).size).toBe(payments.length);

    // Every payment ends confirmed, and the ledger's amounts add up per token and per payer.
    const ledgerToPayTo = zero();
    const ledgerByPayer = new Map(accounts.map((a) => [a.address, zero()] as const));
    for (const payment of payments) {
      const status = await waitForPaymentStatus(
        worker.url,
        payment.paymentId,
        (s) => s.status === 'confirmed',
        60_000,
      );
      const amount = BigInt(status.amount);
      ledgerToPayTo[payment.token] += amount;
      const payer = ledgerByPayer.get(status.payer);
      if (!payer) throw new Error(`unexpected payer ${status.payer}`);
      payer[payment.token] += amount;
    }
    const prices: Totals = { STX: 1000n, sBTC: 2n, USDCx: 1000n };
    const count = (token: TokenType) => BigInt(payments.filter((p) => p.token === token).length);
    for (const token of TOKEN_TYPES)
      expect(ledgerToPayTo[token]).toBe(prices[token] * count(token));

    // The chain agrees: payTo received exactly the ledger's totals, and each payer paid exactly
    // its ledger amounts plus the fees it signed.
    const payToAfter = await snapshot(PAY_TO);
    for (const token of TOKEN_TYPES)
      expect(payToAfter[token] - payToBefore[token]).toBe(ledgerToPayTo[token]);
    for (const account of accounts) {
      const after = await snapshot(account.address);
      const start = before.get(account.address) as Totals;
      const owed = ledgerByPayer.get(account.address) as Totals;
      const fees = payments
        .filter((p) => p.account === account.name)
        .reduce((sum, p) => sum + p.fee, 0n);
      expect(start.STX - after.STX).toBe(owed.STX + fees);
      expect(start.sBTC - after.sBTC).toBe(owed.sBTC);
      expect(start.USDCx - after.USDCx).toBe(owed.USDCx);
    }
    expect(
      (await paymentStatus(worker.url, payments[0].paymentId)).history.map((h) => h.status),
    ).toEqual(['queued', 'broadcasting', 'mempool', 'confirmed']);
  });
});
