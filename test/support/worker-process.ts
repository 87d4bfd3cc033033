/**
 * The Worker under `wrangler dev` (local mode: workerd with Miniflare's KV, D1 and Durable
 * Objects) as a real child process, with its own port and its own state directory, so parallel
 * test files never share a ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGroup, stopGroup, WRANGLER_BIN, waitForHttp } from '../../scripts/process-group';
import type { RunningProcess } from './devnet-process';
import { captureOutput, errorWithOutput } from './output-buffer';
import { freePort } from './ports';

export interface WorkerProcessOptions {
  /** Overrides of wrangler.toml `[vars]`, e.g. `{STACKS_API_URL: devnet.url}`. */
  vars?: Record<string, string>;
  /** How long to wait for the first answer; 120 s by default (bundling and workerd start). */
  readyTimeoutMs?: number;
  /** Another entry module than wrangler.toml's `main` (e.g. one that adds test-only routes). */
  main?: string;
}

export interface WorkerProcess extends RunningProcess {
  /** The `--persist-to` directory (KV, D1, Durable Objects); removed by `stop()`. */
  stateDir: string;
}

const wranglerEnv: NodeJS.ProcessEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  // Tests run offline: skip Miniflare's download of the `Request.cf` object.
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

async function applyMigrations(persistTo: string): Promise<void> {
  const proc = spawnGroup(
    WRANGLER_BIN,
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
    { env: wranglerEnv },
  );
  const output = captureOutput(proc);
  const { code, signal } = await proc.exited;
  if (code !== 0) {
    throw errorWithOutput(
      `wrangler d1 migrations apply failed (${signal ?? `code ${code}`})`,
      output,
    );
  }
}

export async function startWorkerProcess(
  options: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const persistTo = await mkdtemp(join(tmpdir(), 'x402-worker-'));
  const removeState = () => rm(persistTo, { recursive: true, force: true });
  try {
    await applyMigrations(persistTo);
  } catch (error) {
    await removeState();
    throw error;
  }
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const varArgs = Object.entries(options.vars ?? {}).flatMap(([key, value]) => [
    '--var',
    `${key}:${value}`,
  ]);
  const proc = spawnGroup(
    WRANGLER_BIN,
    [
      'dev',
      ...(options.main ? [options.main] : []),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      // Each wrangler dev opens a devtools port too; the default 9229 would clash in parallel runs.
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistTo,
      '--show-interactive-dev-session=false',
      ...varArgs,
    ],
    { env: wranglerEnv },
  );
  const output = captureOutput(proc);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(proc);
    await removeState();
  };
  try {
    // Any HTTP answer means workerd is serving; `/health` is the route meant for this.
    await waitForHttp(`${url}/health`, {
      timeoutMs: options.readyTimeoutMs ?? 240_000,
      proc,
      // wrangler dev stays up (watching for edits) after a build or configuration error.
      failure: () => (/\[ERROR\]/.test(output.text()) ? 'wrangler printed an error' : undefined),
    });
  } catch (error) {
    await stop();
    throw errorWithOutput(`wrangler dev: ${(error as Error).message}`, output);
  }
  return { url, pid: proc.pid, output: output.text, stop, stateDir: persistTo };
}
