/**
 * `npm run dev`: the local devnet, the Workers AI and OpenRouter stand-ins and the Worker together,
 * so a newcomer can pay for a call on their own machine (DESIGN section 7). Order: devnet and
 * stand-ins up (`/v2/info` and `/health` answer), local D1 migrations applied, then `wrangler
 * dev`. Ctrl-C stops all of them; if one dies, so do the others.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getDevnetAccount } from '../devnet/accounts';
import {
  type GroupProcess,
  REPO_ROOT,
  spawnGroup,
  stopGroup,
  TSX_BIN,
  WRANGLER_BIN,
  waitForHttp,
} from './process-group';

const DEVNET_URL = 'http://127.0.0.1:3999';
/** WORKERS_AI_URL of wrangler.toml's top level points here. */
const AI_STANDIN_URL = 'http://127.0.0.1:4010';
const AI_STANDIN_READY_TIMEOUT_MS = 20_000;
/** OPENROUTER_API_URL of wrangler.toml's top level is this plus /api/v1. */
const OPENROUTER_STANDIN_URL = 'http://127.0.0.1:4020';
const OPENROUTER_STANDIN_READY_TIMEOUT_MS = 20_000;
/** The Worker's OPENROUTER_API_KEY unless .dev.vars sets one: the stand-in takes any key. */
const LOCAL_OPENROUTER_API_KEY = 'sk-or-local';
const WORKER_URL = 'http://127.0.0.1:8787';
/** The devnet account whose key the Worker sponsors with, unless .dev.vars sets SPONSOR_PRIVATE_KEY. */
const LOCAL_SPONSOR = 'faucet';
const DEVNET_READY_TIMEOUT_MS = 60_000;
/** Local KV, D1 and Durable Object state of `npm run dev`, reset on every start (see below). */
const WORKER_STATE_DIR = '.wrangler/dev-session';

const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  DEVNET_HOST: '127.0.0.1',
  DEVNET_PORT: '3999',
  AI_STANDIN_HOST: '127.0.0.1',
  AI_STANDIN_PORT: '4010',
  OPENROUTER_STANDIN_HOST: '127.0.0.1',
  OPENROUTER_STANDIN_PORT: '4020',
  WRANGLER_SEND_METRICS: 'false',
  // No internet in many dev setups: skip Miniflare's download of the `Request.cf` object.
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

const running = new Map<string, GroupProcess>();
let shuttingDown = false;

function log(message: string): void {
  console.log(`[dev] ${message}`);
}

/** Starts a child whose every output line is echoed with a `[label]` prefix. */
function startLabelled(label: string, command: string, args: string[]): GroupProcess {
  const proc = spawnGroup(command, args, { env: childEnv });
  running.set(label, proc);
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => {
        // The devnet and the stand-in already prefix their own log lines; do not say it twice.
        out.write(line.startsWith(`[${label}]`) ? `${line}\n` : `[${label}] ${line}\n`);
      });
  };
  pipe(proc.child.stdout, process.stdout);
  pipe(proc.child.stderr, process.stderr);
  // Kept in `running` after it exits: its grandchildren (workerd) may outlive it, and shutdown
  // signals the whole group either way.
  proc.exited.then(({ code, signal }) => {
    if (shuttingDown || label === 'migrate') return;
    void shutdown(1, `${label} exited (${signal ?? `code ${code}`}); stopping the rest`);
  });
  return proc;
}

async function shutdown(exitCode: number, reason: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(reason);
  await Promise.all([...running.values()].map((proc) => stopGroup(proc)));
  process.exit(exitCode);
}

async function isAnswering(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the local secrets file sets `name`: `.dev.vars`, or when there is none `.env` and
 * `.env.local` (wrangler reads .env files only without a .dev.vars).
 */
async function localSecretsSet(name: string): Promise<boolean> {
  const read = (file: string) => readFile(join(REPO_ROOT, file), 'utf8').catch(() => undefined);
  const devVars = await read('.dev.vars');
  const files = devVars !== undefined ? [devVars] : [await read('.env'), await read('.env.local')];
  const assignment = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`, 'm');
  return files.some((text) => text !== undefined && assignment.test(text));
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0, 'stopping (SIGINT)'));
  process.on('SIGTERM', () => void shutdown(0, 'stopping (SIGTERM)'));

  // Another `npm run dev` would make our children fail to bind, or worse, answer in their place.
  for (const url of [
    `${DEVNET_URL}/v2/info`,
    `${AI_STANDIN_URL}/health`,
    `${OPENROUTER_STANDIN_URL}/health`,
    WORKER_URL,
  ]) {
    if (await isAnswering(url)) {
      log(`something already answers at ${url}: is another \`npm run dev\` running?`);
      process.exit(1);
    }
  }

  const devnet = startLabelled('devnet', TSX_BIN, ['devnet/main.ts']);
  const aiStandin = startLabelled('ai-standin', TSX_BIN, ['ai-standin/main.ts']);
  const openRouterStandin = startLabelled('openrouter-standin', TSX_BIN, [
    'openrouter-standin/main.ts',
  ]);
  const ready = (
    what: string,
    url: string,
    options: Parameters<typeof waitForHttp>[1],
  ): Promise<string | undefined> =>
    waitForHttp(url, { ...options, isReady: (response) => response.ok }).then(
      () => {
        log(`${what} ready at ${new URL(url).origin}`);
        return undefined;
      },
      (error: Error) => `the ${what} did not start: ${error.message}`,
    );
  const failures = await Promise.all([
    ready('devnet', `${DEVNET_URL}/v2/info`, { timeoutMs: DEVNET_READY_TIMEOUT_MS, proc: devnet }),
    ready('Workers AI stand-in', `${AI_STANDIN_URL}/health`, {
      timeoutMs: AI_STANDIN_READY_TIMEOUT_MS,
      proc: aiStandin,
    }),
    ready('OpenRouter stand-in', `${OPENROUTER_STANDIN_URL}/health`, {
      timeoutMs: OPENROUTER_STANDIN_READY_TIMEOUT_MS,
      proc: openRouterStandin,
    }),
  ]);
  const failure = failures.find((reason) => reason !== undefined);
  if (failure) return shutdown(1, failure);

  // The devnet starts a new chain on every run (nonces from 0 again), so the Worker's local state
  // starts anew too: a ledger that remembers payments of an earlier chain would refuse the new
  // chain's payments as already used (same payer, same nonce).
  await rm(WORKER_STATE_DIR, { recursive: true, force: true });
  const migrate = startLabelled('migrate', WRANGLER_BIN, [
    'd1',
    'migrations',
    'apply',
    'DB',
    '--local',
    '--persist-to',
    WORKER_STATE_DIR,
  ]);
  const migrated = await migrate.exited;
  if (shuttingDown) return;
  if (migrated.code !== 0) return shutdown(1, 'applying the D1 migrations failed');

  // OPENROUTER_API_KEY is a secret, so wrangler.toml cannot hold it; .dev.vars may.
  const secretArgs = (await localSecretsSet('OPENROUTER_API_KEY'))
    ? []
    : ['--var', `OPENROUTER_API_KEY:${LOCAL_OPENROUTER_API_KEY}`];
  // Sponsored payments work out of the box: the devnet's faucet account (used by no test) sponsors.
  if (!(await localSecretsSet('SPONSOR_PRIVATE_KEY'))) {
    const sponsor = await getDevnetAccount(LOCAL_SPONSOR);
    secretArgs.push('--var', `SPONSOR_PRIVATE_KEY:${sponsor.privateKey}`);
    log(`sponsored payments are sponsored by devnet ${LOCAL_SPONSOR} (${sponsor.address})`);
  }
  const worker = startLabelled('worker', WRANGLER_BIN, [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    '8787',
    '--persist-to',
    WORKER_STATE_DIR,
    '--show-interactive-dev-session=false',
    ...secretArgs,
  ]);
  try {
    await waitForHttp(`${WORKER_URL}/health`, { timeoutMs: 120_000, proc: worker });
  } catch {
    // Either the Worker exited (its exit handler stops the rest) or it is slow to start, in which
    // case wrangler's own output says why; nothing more to do here.
    return;
  }
  log(
    `ready: Worker at ${WORKER_URL}, devnet at ${DEVNET_URL}, Workers AI stand-in at ` +
      `${AI_STANDIN_URL}, OpenRouter stand-in at ${OPENROUTER_STANDIN_URL}/api/v1. Try:`,
  );
  log(`  npm run pay -- POST /hashing/sha256 '{"data":"hello world"}' --token sBTC`);
}

await main();
