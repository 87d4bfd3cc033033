/**
 * The load test under faults (issue 7): 300 paid calls from six concurrent clients in three
 * tokens, with a devnet fault armed before a fifth of them (node 5xx, hangs, late answers,
 * refusals, held, aborted and dropped transactions). Then, with no timing assertion:
 * - zero double charges: no call is paid for by more than one payment that landed;
 * - zero answers unpaid: every delivered payment is confirmed, or its payer is marked (its next
 *   payment is delivered on confirmation only);
 * - zero payers locked out: every payer can still make a paid call;
 * - the ledger equals the chain, payment by payment and to the atomic unit per payer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client, type X402Result } from '../../client';
import { type DevnetAccountName, getDevnetAccount } from '../../devnet/accounts';
import { TOKEN_TYPES, type TokenType } from '../../src/stacks/tokens';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { armFault, balanceOf, PAY_TO, type PaymentStatusBody, paymentStatus } from './helpers';

const CLIENTS: DevnetAccountName[] = [
  'wallet_1',
  'wallet_2',
  'wallet_4',
  'wallet_5',
  'wallet_6',
  'wallet_7',
];
const CALLS_PER_CLIENT = 50;
/** A fault is armed before one call in five. */
const FAULT_EVERY = 5;
const PRICES: Record<TokenType, bigint> = { STX: 1000n, sBTC: 2n, USDCx: 1000n };

let devnet: RunningProcess;
let worker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 250 });
  worker = await startWorkerProcess({
    vars: {
      STACKS_API_URL: devnet.url,
      BROADCAST_TIMEOUT_SECONDS: '2',
      // A marked payer's payment is confirmed within a few 250 ms blocks: waited for in the request.
      CONFIRMATION_WAIT_SECONDS: '3',
      NONCE_GAP_MAX_BLOCKS: '3',
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await devnet?.stop();
});

/** mulberry32: the same faults on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type FaultKind =
  | 'node-5xx'
  | 'hang'
  | 'late-answer'
  | 'refused'
  | 'held'
  | 'aborted'
  | 'dropped-after-delivery';
const FAULT_KINDS: FaultKind[] = [
  'node-5xx',
  'hang',
  'late-answer',
  'refused',
  'held',
  'aborted',
  'dropped-after-delivery',
];

async function armBefore(kind: FaultKind): Promise<void> {
  const faults: Record<FaultKind, Record<string, unknown>> = {
    'node-5xx': { kind: 'broadcast-http-error', status: 503 },
    hang: { kind: 'hang-broadcast' },
    'late-answer': { kind: 'delay-broadcast', ms: 2500 },
    refused: { kind: 'reject-broadcast', reason: 'TooMuchChaining' },
    held: { kind: 'hold-transaction', blocks: 4 },
    aborted: { kind: 'abort-transaction' },
    'dropped-after-delivery': { kind: 'hold-transaction', blocks: 8 },
  };
  await armFault(devnet.url, faults[kind]);
}

/** One payment the clients made, and what became of it. */
interface Attempt {
  call: string;
  account: DevnetAccountName;
  payer: string;
  token: TokenType;
  txid: string;
  fee: bigint;
  paymentId?: string;
  /** The call was answered 200 with this payment. */
  answered: boolean;
  status?: number | string;
  code?: string;
  fault?: FaultKind;
}

interface ChainTx {
  tx_status: string;
  fee_rate: string;
}

async function chainTx(txid: string): Promise<ChainTx | null> {
  const res = await fetch(`${devnet.url}/extended/v1/tx/0x${txid.replace(/^0x/, '')}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  return (await res.json()) as ChainTx;
}

/** A 402 because the node refused a transaction past its per-account chaining limit. */
function isChainingLimit(result: X402Result): boolean {
  if (result.type !== 'response' || result.status !== 402) return false;
  const body = result.body as { code?: string } | null;
  return body?.code === 'too_many_pending';
}

let chainingWaits = 0;

/** Waits until the account has fewer than 20 transactions pending (at most 60 s). */
async function waitForMempoolRoom(address: string): Promise<void> {
  chainingWaits++;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const nonces = (await (
      await fetch(`${devnet.url}/extended/v1/address/${address}/nonces`)
    ).json()) as { detected_mempool_nonces: number[] };
    if (nonces.detected_mempool_nonces.length < 20) return;
    if (Date.now() > deadline) throw new Error(`${address}: the mempool never drained`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const LEDGER_FOR_CHAIN: Record<string, string[]> = {
  success: ['confirmed'],
  abort_by_response: ['failed'],
  abort_by_post_condition: ['failed'],
  dropped_replace_by_fee: ['replaced'],
};

type Totals = Record<TokenType, bigint>;
const zero = (): Totals => ({ STX: 0n, sBTC: 0n, USDCx: 0n });
async function snapshot(address: string): Promise<Totals> {
  const totals = zero();
  for (const token of TOKEN_TYPES) totals[token] = await balanceOf(devnet.url, address, token);
  return totals;
}

describe('300 paid calls with faults on a fifth of them', () => {
  it('charge no call twice, answer nothing unpaid, lock no payer out, and keep the ledger equal to the chain', {
    timeout: 480_000,
  }, async () => {
    const accounts = await Promise.all(CLIENTS.map((name) => getDevnetAccount(name)));
    const before = new Map(
      await Promise.all(accounts.map(async (a) => [a.address, await snapshot(a.address)] as const)),
    );
    const payToBefore = await snapshot(PAY_TO);
    const random = seededRandom(402);
    const armed: FaultKind[] = [];
    const attempts: Attempt[] = [];

    const runClient = async (index: number) => {
      const account = accounts[index];
      for (let call = 0; call < CALLS_PER_CLIENT; call++) {
        const token = TOKEN_TYPES[(index + call) % TOKEN_TYPES.length];
        const client = createX402Client({
          privateKey: account.privateKey,
          network: 'testnet',
          stacksApiUrl: devnet.url,
          preferredToken: token,
          deliveryTimeoutMs: 90_000,
          paidRequestTimeoutMs: 15_000,
        });
        const data = `${account.name}:${call}`;
        // Exactly a fifth of the calls (every fifth of each client's), the kind drawn at random.
        const fault =
          (index + call) % FAULT_EVERY === 0
            ? FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]
            : undefined;
        if (fault) {
          armed.push(fault);
          await armBefore(fault);
        }
        // A call refused (402) or whose payment failed is made again, as a client would.
        for (let attempt = 1; ; attempt++) {
          const result: X402Result = await client.fetch(`${worker.url}/hashing/sha256`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ data }),
          });
          if (result.type === 'refused') throw new Error(`${data}: refused: ${result.message}`);
          const payment = result.payment;
          if (!payment) throw new Error(`${data}: answered ${result.status} without paying`);
          const answered = result.type === 'response' && result.status === 200;
          attempts.push({
            call: data,
            account: account.name,
            payer: account.address,
            token,
            txid: payment.txid,
            fee: payment.fee,
            paymentId: result.paymentId ?? result.pending?.paymentId,
            answered,
            status: result.type === 'response' ? result.status : result.type,
            code: (result.body as { code?: string } | null)?.code,
            fault,
          });
          if (answered) {
            const expected = Buffer.from(
              await crypto.subtle.digest('SHA-256', new TextEncoder().encode(data)),
            ).toString('hex');
            expect(result.body).toMatchObject({ hash: `0x${expected}` });
            if (fault === 'dropped-after-delivery') {
              // Gone from the mempool after the answer (if it is not mined yet).
              await fetch(`${devnet.url}/devnet/faults`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ kind: 'replace-transaction', txid: payment.txid }),
              }).then((res) => res.body?.cancel());
            }
            break;
          }
          const status = result.type === 'response' ? result.status : result.type;
          if (isChainingLimit(result)) {
            // The node holds at most 25 pending transactions per account: a client faster than
            // the blocks (a held transaction blocks its successors) waits for the chain, as a
            // wallet would, and this is not counted as an attempt.
            await waitForMempoolRoom(account.address);
            attempt--;
            continue;
          }
          if (attempt >= 6) {
            console.log(
              'NONCES',
              await (
                await fetch(`${devnet.url}/extended/v1/address/${account.address}/nonces`)
              ).text(),
            );
            const mine = attempts.filter((a) => a.account === account.name).slice(-8);
            for (const a of mine) {
              const st = a.paymentId ? await paymentStatus(worker.url, a.paymentId) : undefined;
              console.log(
                a.call,
                a.txid,
                a.answered,
                st?.status,
                (await chainTx(a.txid))?.tx_status,
                JSON.stringify(st?.history),
              );
            }
            throw new Error(
              `${data}: still ${status} after ${attempt} attempts: ${JSON.stringify(result.body)} (nonce ${payment.nonce}, fault ${fault})`,
            );
          }
        }
      }
    };
    await Promise.all(CLIENTS.map((_, index) => runClient(index)));
    await fetch(`${devnet.url}/devnet/faults`, { method: 'DELETE' });

    const calls = CLIENTS.length * CALLS_PER_CLIENT;
    expect(new Set(attempts.filter((a) => a.answered).map((a) => a.call)).size).toBe(calls);
    expect(armed.length).toBe(calls / FAULT_EVERY);

    // Let the chain settle: no transaction of the run still pending.
    const chain = new Map<string, ChainTx | null>();
    const settleBy = Date.now() + 120_000;
    for (const attempt of attempts) {
      for (;;) {
        const tx = await chainTx(attempt.txid);
        if (tx?.tx_status !== 'pending' || Date.now() > settleBy) {
          chain.set(attempt.txid, tx);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    // The ledger equals the chain, payment by payment (its trackers catch up within the bound).
    const ledger = new Map<string, PaymentStatusBody>();
    for (const attempt of attempts) {
      if (!attempt.paymentId) continue;
      const tx = chain.get(attempt.txid);
      const expected = tx
        ? (LEDGER_FOR_CHAIN[tx.tx_status] ?? ['failed'])
        : ['failed', 'not_found'];
      let status = await paymentStatus(worker.url, attempt.paymentId);
      while (!expected.includes(status.status) && Date.now() < settleBy + 60_000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = await paymentStatus(worker.url, attempt.paymentId);
      }
      expect({
        call: attempt.call,
        chain: tx?.tx_status ?? 'unknown',
        ledger: status.status,
      }).toEqual({
        call: attempt.call,
        chain: tx?.tx_status ?? 'unknown',
        ledger: expect.toSatisfy((s: string) => expected.includes(s)),
      });
      ledger.set(attempt.paymentId, status);
    }

    // Zero double charges: each call is paid for by at most one transaction that landed (a retry
    // after a refused broadcast may send the very same transaction again: one txid, one charge).
    const landedPerCall = new Map<string, Set<string>>();
    for (const attempt of attempts) {
      if (chain.get(attempt.txid)?.tx_status !== 'success') continue;
      const landed = landedPerCall.get(attempt.call) ?? new Set<string>();
      landedPerCall.set(attempt.call, landed.add(attempt.txid));
    }
    expect([...landedPerCall].filter(([, txids]) => txids.size > 1)).toEqual([]);

    // The chain agrees with the ledger to the atomic unit: payTo got exactly the confirmed
    // amounts, and each payer paid exactly those plus the fee of each transaction mined.
    const toPayTo = zero();
    const byPayer = new Map(accounts.map((a) => [a.address, zero()] as const));
    const feesCounted = new Set<string>();
    for (const attempt of attempts) {
      const tx = chain.get(attempt.txid);
      const spent = byPayer.get(attempt.payer) as Totals;
      if (tx && tx.tx_status !== 'dropped_replace_by_fee' && !feesCounted.has(attempt.txid)) {
        feesCounted.add(attempt.txid);
        spent.STX += BigInt(tx.fee_rate);
      }
      const status = attempt.paymentId ? ledger.get(attempt.paymentId) : undefined;
      if (status?.status !== 'confirmed') continue;
      expect(BigInt(status.amount)).toBe(PRICES[attempt.token]);
      toPayTo[attempt.token] += BigInt(status.amount);
      spent[attempt.token] += BigInt(status.amount);
    }
    const payToAfter = await snapshot(PAY_TO);
    for (const token of TOKEN_TYPES)
      expect(payToAfter[token] - payToBefore[token]).toBe(toPayTo[token]);
    for (const account of accounts) {
      const after = await snapshot(account.address);
      const start = before.get(account.address) as Totals;
      const spent = byPayer.get(account.address) as Totals;
      for (const token of TOKEN_TYPES) expect(start[token] - after[token]).toBe(spent[token]);
    }

    // Zero answers unpaid, zero payers locked out: every payer makes one more paid call; a payer
    // with an answered payment that did not land is served on confirmation only.
    const unpaidAnswers = attempts.filter(
      (a) => a.answered && a.paymentId && ledger.get(a.paymentId)?.status !== 'confirmed',
    );
    const marked = new Set(unpaidAnswers.map((a) => a.payer));
    for (const account of accounts) {
      const client = createX402Client({
        privateKey: account.privateKey,
        network: 'testnet',
        stacksApiUrl: devnet.url,
        deliveryTimeoutMs: 60_000,
      });
      const result = await client.fetch(`${worker.url}/hashing/sha256`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: `${account.name}:last` }),
      });
      expect(result.type === 'response' && result.status).toBe(200);
      const paymentId = result.type === 'response' ? result.paymentId : undefined;
      if (!paymentId) throw new Error(`${account.name}: no payment id`);
      const last = await paymentStatus(worker.url, paymentId);
      expect({ payer: account.name, delivery: last.delivery }).toEqual({
        payer: account.name,
        delivery: marked.has(account.address) ? 'confirmed' : 'mempool',
      });
    }
    console.log(
      `fault run: ${calls} calls, ${attempts.length} payments, ${armed.length} faults (${FAULT_KINDS.map(
        (k) => `${k} ${armed.filter((a) => a === k).length}`,
      ).join(
        ', ',
      )}), ${unpaidAnswers.length} answers without a payment that landed, ${marked.size} payers marked, ${chainingWaits} waits at the node's chaining limit`,
    );
  });
});
