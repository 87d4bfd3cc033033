/**
 * The production Worker, unchanged, behind a bench-only front served by `wrangler dev` in
 * `npm run bench` (never deployed: wrangler.toml's `main` is src/index.ts):
 * - every request reaches src/index.ts with its D1 binding wrapped to count round trips (each
 *   `first`/`run`/`all`/`raw` of a statement, each `batch`, each `exec`);
 * - `GET /__bench/d1` answers the count so far;
 * - `POST /__bench/verify` times, inside the isolate, N verifications of the payment in its
 *   `payment-signature` header: `verifyStacksPayment` as the gate calls it, the origin signature
 *   check alone with @stacks/transactions (JS) and with recovery-engine.ts (WASM here), and one
 *   key recovery with each;
 * - `POST /__bench/server-time` times free and paid calls through the app (benchServerTime).
 * The Durable Object classes are re-exported as they are (their own D1 use is not counted).
 */
import { deserializeTransaction } from '@stacks/transactions';
import worker from '../../src/index';
import { decodeBase64Json } from '../../src/payment/header-codec';
import type { PaymentRequirements } from '../../src/payment/protocol';
import { verifyTransactionOrigin } from '../../src/stacks/signatures/origin';
import { recoverWithJavaScript, recoveryEngine } from '../../src/stacks/signatures/recovery-engine';
import { verifyStacksPayment } from '../../src/stacks/verify-payment';
import { countD1RoundTrips } from './d1-counter';

export * from '../../src/index';

const roundTrips = { count: 0 };

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Microseconds per call of `run`, over `iterations` calls. workerd advances its clocks only at
 * I/O (a Spectre mitigation), so the clock is read after a zero-length timer on each side; the
 * timer's own cost (measured with no work) is subtracted.
 */
async function microsecondsPerCall(run: () => void, iterations: number): Promise<number> {
  const elapsed = async (work: () => void) => {
    await tick();
    const start = performance.now();
    work();
    await tick();
    return performance.now() - start;
  };
  for (let i = 0; i < Math.min(iterations, 20); i++) run();
  const idle = await elapsed(() => {});
  const busy = await elapsed(() => {
    for (let i = 0; i < iterations; i++) run();
  });
  return (Math.max(0, busy - idle) * 1000) / iterations;
}

async function benchVerification(request: Request): Promise<Response> {
  const iterations = Number(new URL(request.url).searchParams.get('n') ?? '200');
  const decoded = decodeBase64Json(request.headers.get('payment-signature') ?? '');
  if (!decoded.ok) return Response.json({ error: decoded.reason }, { status: 400 });
  const { accepted, payload } = decoded.value as {
    accepted: PaymentRequirements;
    payload: { transaction: string };
  };
  const check = {
    transactionHex: payload.transaction,
    requirement: accepted,
    token: 'STX',
    network: 'testnet',
    maxBytes: 16_384,
  } as const;
  const outcome = verifyStacksPayment(check);
  if (outcome.type !== 'verified') return Response.json(outcome, { status: 400 });
  const tx = deserializeTransaction(payload.transaction);
  // The payment's own r and s over another hash: a full recovery (it finds some key).
  const hash = crypto.getRandomValues(new Uint8Array(32));
  const vrs = (tx.auth.spendingCondition as { signature: { data: string } }).signature.data;
  const signature = Uint8Array.from(vrs.slice(2).match(/../g) ?? [], (byte) => parseInt(byte, 16));
  const engine = recoveryEngine();
  return Response.json({
    recoverJsMicros: await microsecondsPerCall(
      () => recoverWithJavaScript(hash, signature, 0, true),
      iterations,
    ),
    recoverEngineMicros: await microsecondsPerCall(
      () => engine.recover(hash, signature, 0, true),
      iterations,
    ),
    engine: engine.engine,
    iterations,
    verifyStacksPaymentMicros: await microsecondsPerCall(
      () => verifyStacksPayment(check),
      iterations,
    ),
    originJsMicros: await microsecondsPerCall(() => tx.verifyOrigin(), iterations),
    originWasmMicros: await microsecondsPerCall(() => verifyTransactionOrigin(tx), iterations),
    decodeMicros: await microsecondsPerCall(
      () => deserializeTransaction(payload.transaction),
      iterations,
    ),
  });
}

/**
 * Server time per call, inside the isolate: `free` runs of `GET /`, then one paid
 * `POST /hashing/sha256` per header in `paid` (D1 and the devnet broadcast included), each
 * through the production app; D1 round trips counted over each loop.
 */
async function benchServerTime(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const { free, paid } = (await request.json()) as { free: number; paid: string[] };
  const origin = new URL(request.url).origin;
  const counted = { ...env, DB: countD1RoundTrips(env.DB, roundTrips) };
  const loop = async (calls: (() => Request)[], status: number) => {
    const trips = roundTrips.count;
    await tick();
    const start = performance.now();
    for (const make of calls) {
      const res = await worker.fetch(make(), counted, ctx);
      await res.text();
      if (res.status !== status) throw new Error(`status ${res.status}, expected ${status}`);
    }
    await tick();
    return {
      micros: ((performance.now() - start) * 1000) / calls.length,
      roundTrips: (roundTrips.count - trips) / calls.length,
    };
  };
  const freeCalls = Array.from({ length: free }, () => () => new Request(`${origin}/`));
  const paidCalls = paid.map(
    (header) => () =>
      new Request(`${origin}/hashing/sha256`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payment-signature': header },
        body: JSON.stringify({ data: 'hello world' }),
      }),
  );
  return Response.json({ free: await loop(freeCalls, 200), paid: await loop(paidCalls, 200) });
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === '/__bench/server-time' && request.method === 'POST') {
      return benchServerTime(request, env, ctx);
    }
    if (pathname === '/__bench/verify' && request.method === 'POST') {
      return benchVerification(request);
    }
    if (pathname === '/__bench/d1') return Response.json({ roundTrips: roundTrips.count });
    return worker.fetch(request, { ...env, DB: countD1RoundTrips(env.DB, roundTrips) }, ctx);
  },
} satisfies ExportedHandler<Env>;
