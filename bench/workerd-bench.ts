/**
 * The performance figures of issue 12, measured in workerd in one run and printed as one table:
 * the Worker under `wrangler dev` (entry bench/worker/bench-worker.ts: the production app plus
 * bench-only routes and a D1 round-trip counter) against the local devnet, the deploy bundle from
 * `wrangler deploy --dry-run`, and start-up CPU from `wrangler check startup`.
 * Ratios are taken within the run (the machine is shared, so absolute figures drift).
 */
import { gzipSync } from 'node:zlib';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGroup, WRANGLER_BIN } from '../scripts/process-group';
import { type RunningProcess, startDevnetProcess, startWorkerProcess } from '../test/support';
import {
  BLOCK_TIME_MS,
  call,
  measureRounds,
  PayerRotation,
  postInit,
  quantile,
  ROUTE,
  report,
  signPaymentHeader,
  stxRequirementOf,
} from './paid-call-overhead';

export const BENCH_WORKER_MAIN = 'bench/worker/bench-worker.ts';

/** The table's rows, in order; the smoke test checks these names. */
export const ROW_NAMES = [
  'verification µs (verifyStacksPayment, workerd)',
  'origin signature µs, @stacks/transactions JS',
  'key recovery µs, JS → recovery engine',
  'origin signature µs, recovery engine',
  '402 requests/s ÷ GET / requests/s',
  'paid-call server time ÷ free-call server time',
  'D1 round trips per paid call',
  'bundle gzip KiB (JS + WASM)',
  'start-up CPU ms (wrangler check startup)',
] as const;

export type Row = { name: (typeof ROW_NAMES)[number]; value: string; detail: string };

const median = (values: number[]) => quantile(values, 0.5);

async function callJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, init);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function run(args: string[]): Promise<string> {
  const proc = spawnGroup(WRANGLER_BIN, args, {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  let output = '';
  proc.child.stdout?.on('data', (chunk) => (output += chunk));
  proc.child.stderr?.on('data', (chunk) => (output += chunk));
  const { code } = await proc.exited;
  if (code !== 0) throw new Error(`wrangler ${args[0]} failed (code ${code}):\n${output}`);
  return output;
}

/** gzip size of what `wrangler deploy` would upload (scripts and WASM; no source maps). */
export async function bundleRow(): Promise<Row> {
  const outdir = await mkdtemp(join(tmpdir(), 'x402-bundle-'));
  try {
    await run(['deploy', '--dry-run', '--env', 'production', '--outdir', outdir]);
    const sizes = { js: 0, wasm: 0 };
    for (const file of await readdir(outdir)) {
      if (file.endsWith('.map') || file === 'README.md') continue;
      const gzip = gzipSync(await readFile(join(outdir, file))).length / 1024;
      sizes[file.endsWith('.wasm') ? 'wasm' : 'js'] += gzip;
    }
    return {
      name: 'bundle gzip KiB (JS + WASM)',
      value: (sizes.js + sizes.wasm).toFixed(0),
      detail: `JS ${sizes.js.toFixed(0)} + WASM ${sizes.wasm.toFixed(0)}, minified, --env production`,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** CPU of the start-up phase: the non-idle samples of the profile `wrangler check startup` writes. */
export async function startupRow(): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'x402-startup-'));
  const outfile = join(dir, 'startup.cpuprofile');
  try {
    await run(['check', 'startup', '--outfile', outfile]);
    const profile = JSON.parse(await readFile(outfile, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const idle = new Set(
      profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
    );
    const busyMicros = profile.samples.reduce(
      (sum, node, i) => (idle.has(node) ? sum : sum + profile.timeDeltas[i]),
      0,
    );
    return {
      name: 'start-up CPU ms (wrangler check startup)',
      value: (busyMicros / 1000).toFixed(1),
      detail: 'locally, sampled; Cloudflare limits start-up to 1 s',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Requests per second over `durationMs`, `concurrency` at a time. */
async function throughput(send: () => Promise<unknown>, concurrency = 8, durationMs = 3000) {
  let done = 0;
  const until = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await send();
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - start);
}

async function measureInWorker(url: string, payers: PayerRotation): Promise<Row[]> {
  const route = `${url}${ROUTE}`;
  const requirement = stxRequirementOf(await call(route, postInit(), 402));

  // Verification inside the isolate: five runs of 300, medians. (Verification is offline: the
  // nonce plays no part in it.)
  const verify: Record<string, number>[] = [];
  for (let i = 0; i < 5; i++) {
    const header = await signPaymentHeader(requirement, payers);
    verify.push(
      await callJson<Record<string, number>>(
        `${url}/__bench/verify?n=300`,
        postInit({ 'payment-signature': header }),
      ),
    );
    // Then pay with it for real, so the payer's next nonce stays in step with the rotation.
    await call(route, postInit({ 'payment-signature': header }), 200);
  }
  const engine = (verify[0] as unknown as { engine: string }).engine;
  const micros = (key: string) => median(verify.map((v) => v[key]));

  // Throughput: the 402 challenge against GET /, alternated twice.
  const rates = { challenge: [] as number[], free: [] as number[] };
  for (let i = 0; i < 2; i++) {
    rates.free.push(await throughput(() => call(`${url}/`, {}, 200)));
    rates.challenge.push(await throughput(() => call(route, postInit(), 402)));
  }

  // Server time and D1 round trips, inside the isolate (paid: D1 and the devnet broadcast).
  const paidCalls = 30;
  const paid: string[] = [];
  for (let i = 0; i < paidCalls; i++) paid.push(await signPaymentHeader(requirement, payers));
  type Loop = { micros: number; roundTrips: number };
  const server = await callJson<{ free: Loop; paid: Loop }>(`${url}/__bench/server-time`, {
    method: 'POST',
    body: JSON.stringify({ free: 200, paid }),
  });

  return [
    {
      name: 'verification µs (verifyStacksPayment, workerd)',
      value: micros('verifyStacksPaymentMicros').toFixed(0),
      detail: `STX transfer, median of 5 × 300 in the isolate; decoding alone ${micros('decodeMicros').toFixed(0)} µs`,
    },
    {
      name: 'origin signature µs, @stacks/transactions JS',
      value: micros('originJsMicros').toFixed(0),
      detail: 'tx.verifyOrigin(): noble 1.7 recovery',
    },
    {
      name: 'key recovery µs, JS → recovery engine',
      value: `${micros('recoverJsMicros').toFixed(0)} → ${micros('recoverEngineMicros').toFixed(0)}`,
      detail: `one secp256k1 recovery, engine: ${engine}`,
    },
    {
      name: 'origin signature µs, recovery engine',
      value: micros('originWasmMicros').toFixed(0),
      detail: `verifyTransactionOrigin(tx), engine: ${engine}`,
    },
    {
      name: '402 requests/s ÷ GET / requests/s',
      value: (median(rates.challenge) / median(rates.free)).toFixed(2),
      detail: `${median(rates.challenge).toFixed(0)} ÷ ${median(rates.free).toFixed(0)} req/s, 8 concurrent, 2 × 3 s each`,
    },
    {
      name: 'paid-call server time ÷ free-call server time',
      value: (server.paid.micros / server.free.micros).toFixed(1),
      detail: `${(server.paid.micros / 1000).toFixed(2)} ÷ ${(server.free.micros / 1000).toFixed(2)} ms in the isolate (${paidCalls} paid calls, D1 and devnet broadcast included; 200 GET /)`,
    },
    {
      name: 'D1 round trips per paid call',
      value: server.paid.roundTrips.toFixed(1),
      detail: `while answering (GET /: ${server.free.roundTrips}); the Worker's binding only, not its Durable Objects'`,
    },
  ];
}

export function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  const valueWidth = Math.max(...rows.map((row) => row.value.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(valueWidth)}  how`);
  for (const row of rows) {
    console.log(`${row.name.padEnd(width)}  ${row.value.padStart(valueWidth)}  ${row.detail}`);
  }
}

/**
 * Starts the devnet and the bench Worker, measures, stops both (by process group), then measures
 * the bundle and start-up; prints the end-to-end latencies and the table.
 */
export async function benchInWorkerd(options: { latencyRounds?: boolean } = {}): Promise<Row[]> {
  const running: RunningProcess[] = [];
  const stopAll = () => Promise.all(running.splice(0).map((proc) => proc.stop()));
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the devnet and the Worker`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let rows: Row[];
  try {
    const devnet = await startDevnetProcess({ blockTimeMs: BLOCK_TIME_MS });
    running.push(devnet);
    const worker = await startWorkerProcess({
      main: BENCH_WORKER_MAIN,
      vars: { STACKS_API_URL: devnet.url },
    });
    running.push(worker);
    const challenge = await call(`${worker.url}${ROUTE}`, postInit(), 402);
    const payers = await PayerRotation.start(devnet.url, stxRequirementOf(challenge).payTo);
    if (options.latencyRounds !== false) {
      console.log('\nend to end over HTTP (wrangler dev, devnet), as a client sees it:\n');
      report(await measureRounds(worker.url, payers));
    }
    rows = await measureInWorker(worker.url, payers);
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  rows.push(await bundleRow(), await startupRow());
  printTable(rows);
  return rows;
}
