/**
 * What x402 adds to a call, end to end over real HTTP: the Worker under `wrangler dev` and the
 * local devnet as child processes on ports of their own (127.0.0.1, started by
 * workerd-bench.ts), timed from this process. Also the pieces the workerd bench shares:
 * paying devnet wallets in turn, signing, reading a 402.
 *
 * Each round times, one after the other (so every kind of call sees the same conditions):
 * - `GET /` and `GET /health`: free calls;
 * - the 402 challenge alone: `POST /hashing/sha256` without a payment;
 * - the paid request alone: the same POST with a `payment-signature` signed beforehand (the
 *   server's part: decode, verify, claim in D1, broadcast to the devnet, hash, receipt);
 * - the whole x402 flow as a client lives it: the 402, decoding it, signing an STX payment, and
 *   the paid retry.
 * Payments are delivered on mempool acceptance (the default). Payers take turns over the devnet
 * wallets (all but payTo), each nonce tracked here, so no payer gets near the node's limit of 25 chained
 * mempool transactions (devnet/admission.ts `TooMuchChaining`) even before a block is mined.
 */
import { buildPaymentTransaction } from '../client';
import { type DevnetAccount, loadDevnetAccounts } from '../devnet/accounts';
import { decodeBase64Json, encodeBase64Json } from '../src/payment/header-codec';
import type { PaymentRequired, PaymentRequirements } from '../src/payment/protocol';

const WARM_UP_ROUNDS = 5;
const MEASURED_ROUNDS = 50;
/** Fast blocks, so mempool transactions are mined while the bench runs. */
export const BLOCK_TIME_MS = 200;
/** µSTX; above 1 µSTX per byte for an STX transfer (about 180 bytes). */
const FEE = 400n;
export const ROUTE = '/hashing/sha256';
const BODY = JSON.stringify({ data: 'hello world' });

type Sample = 'free' | 'health' | 'challenge' | 'paid' | 'flow';

const LABELS: Record<Sample, string> = {
  free: 'GET / (free)',
  health: 'GET /health (free)',
  challenge: 'POST /hashing/sha256 unpaid (402 challenge)',
  paid: 'POST /hashing/sha256 paid (signed beforehand)',
  flow: 'x402 flow: 402 + sign + paid retry',
};

/** Hands out payers in turn, each with the nonce of its next transaction. */
export class PayerRotation {
  private turn = 0;

  private constructor(private readonly payers: { account: DevnetAccount; nonce: bigint }[]) {}

  /** The devnet wallets, except `payTo` (the node refuses a transfer to its own sender). */
  static async start(devnetUrl: string, payTo: string): Promise<PayerRotation> {
    const wallets = (await loadDevnetAccounts()).filter(
      (a) => a.name.startsWith('wallet_') && a.address !== payTo,
    );
    const payers = await Promise.all(
      wallets.map(async (account) => {
        const res = await fetch(`${devnetUrl}/extended/v1/address/${account.address}/nonces`);
        const { possible_next_nonce } = (await res.json()) as { possible_next_nonce: number };
        return { account, nonce: BigInt(possible_next_nonce) };
      }),
    );
    return new PayerRotation(payers);
  }

  next(): { account: DevnetAccount; nonce: bigint } {
    const payer = this.payers[this.turn++ % this.payers.length];
    return { account: payer.account, nonce: payer.nonce++ };
  }
}

export async function signPaymentHeader(
  requirement: PaymentRequirements,
  payers: PayerRotation,
): Promise<string> {
  const { account, nonce } = payers.next();
  const signed = await buildPaymentTransaction(
    {
      requirement,
      tokenType: 'STX',
      network: 'testnet',
      privateKey: account.privateKey,
      payer: account.address,
      nonce,
    },
    { fee: FEE },
  );
  return encodeBase64Json({
    x402Version: 2,
    accepted: requirement,
    payload: { transaction: signed.hex },
  });
}

export function stxRequirementOf(res: Response): PaymentRequirements {
  const decoded = decodeBase64Json(res.headers.get('payment-required') ?? '');
  if (!decoded.ok) throw new Error(`the 402 has no readable payment-required: ${decoded.reason}`);
  const requirement = (decoded.value as PaymentRequired).accepts.find(
    (a) => a.extra.tokenType === 'STX',
  );
  if (!requirement) throw new Error('the 402 offers no STX requirement');
  return requirement;
}

/** Sends the request and reads the whole body; throws unless the status is `expected`. */
export async function call(url: string, init: RequestInit, expected: number): Promise<Response> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (res.status !== expected) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status}, expected ${expected}: ${body}`);
  }
  return res;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

/** The value at rank ceil(q × n) of the sorted samples (nearest rank). */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export const postInit = (headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: BODY,
});

export async function measureRounds(workerUrl: string, payers: PayerRotation) {
  const url = `${workerUrl}${ROUTE}`;
  const samples: Record<Sample, number[]> = {
    free: [],
    health: [],
    challenge: [],
    paid: [],
    flow: [],
  };
  for (let round = 0; round < WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
    const free = await timed(() => call(`${workerUrl}/`, {}, 200));
    const health = await timed(() => call(`${workerUrl}/health`, {}, 200));
    const challenge = await timed(() => call(url, postInit(), 402));
    const header = await signPaymentHeader(stxRequirementOf(challenge.value), payers);
    const paid = await timed(() => call(url, postInit({ 'payment-signature': header }), 200));
    const flow = await timed(async () => {
      const offered = await call(url, postInit(), 402);
      const signature = await signPaymentHeader(stxRequirementOf(offered), payers);
      return call(url, postInit({ 'payment-signature': signature }), 200);
    });
    if (round < WARM_UP_ROUNDS) continue;
    samples.free.push(free.ms);
    samples.health.push(health.ms);
    samples.challenge.push(challenge.ms);
    samples.paid.push(paid.ms);
    samples.flow.push(flow.ms);
  }
  return samples;
}

export function report(samples: Record<Sample, number[]>): void {
  const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`;
  console.log(`${''.padEnd(46)} ${'median'.padStart(11)} ${'p90'.padStart(11)}`);
  for (const sample of Object.keys(LABELS) as Sample[]) {
    const values = samples[sample];
    console.log(
      `${LABELS[sample].padEnd(46)} ${ms(quantile(values, 0.5))} ${ms(quantile(values, 0.9))}`,
    );
  }
  const overhead = (sample: Sample) => {
    const [median, p90] = [0.5, 0.9].map(
      (q) => [quantile(samples[sample], q), quantile(samples.free, q)] as const,
    );
    const line = ([paid, free]: readonly [number, number]) =>
      `+${(paid - free).toFixed(1)} ms (×${(paid / free).toFixed(1)})`;
    console.log(
      `${`${sample === 'paid' ? 'paid request' : 'x402 flow'} over GET /`.padEnd(46)} median ${line(median)}, p90 ${line(p90)}`,
    );
  };
  console.log('');
  overhead('paid');
  overhead('flow');
}
