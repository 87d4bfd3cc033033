/**
 * Child processes that can be stopped completely. `wrangler dev` runs workerd as a grandchild and
 * `tsx` runs the devnet as one, so killing only the direct child leaves servers holding ports.
 * Each child is spawned `detached` (its own process group, whose id is its pid) and stopped by
 * signalling that whole group. Shared by `npm run dev` and the end-to-end test harness.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, so scripts behave the same from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TSX_BIN = `${REPO_ROOT}node_modules/.bin/tsx`;
export const WRANGLER_BIN = `${REPO_ROOT}node_modules/.bin/wrangler`;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  child: ChildProcess;
  /** Pid of the child, and id of its process group. */
  pid: number;
  /** Settles when the child itself has exited (its own children may still be stopping). */
  exited: Promise<ExitStatus>;
  /** Set once the child has exited. */
  exitStatus?: ExitStatus;
}

export function spawnGroup(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): GroupProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    detached: true,
    // No stdin: tools then take their non-interactive paths (wrangler's prompts included).
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const handle: GroupProcess = {
    child,
    pid: child.pid,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        handle.exitStatus = { code, signal };
        resolve(handle.exitStatus);
      });
    }),
  };
  // A spawn failure (ENOENT) is reported as 'error' and then 'exit'; keep it from crashing us.
  child.once('error', () => {});
  return handle;
}

/** True while any process of the group exists (zombies included, until they are reaped). */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * SIGTERM to the whole group, SIGKILL after `graceMs` for whatever is left, then wait for the
 * child's exit. Safe to call twice and after the child has exited.
 */
export async function stopGroup(proc: GroupProcess, graceMs = 5_000): Promise<ExitStatus> {
  signalGroup(proc.pid, 'SIGTERM');
  const stopped = await waitUntil(
    () => proc.exitStatus !== undefined && !isGroupAlive(proc.pid),
    graceMs,
  );
  if (!stopped) {
    signalGroup(proc.pid, 'SIGKILL');
    // Processes re-parented away from us may linger briefly as zombies; do not wait for ever.
    await waitUntil(() => !isGroupAlive(proc.pid), 2_000);
  }
  return proc.exited;
}

/**
 * Polls `url` until it answers an HTTP status accepted by `isReady` (default: any answer).
 * Fails early if `proc` exits first or `failure` reports a reason, and after `timeoutMs`.
 */
export async function waitForHttp(
  url: string,
  options: {
    timeoutMs: number;
    proc?: GroupProcess;
    isReady?: (response: Response) => boolean;
    /** A reason to stop waiting now (e.g. a fatal error the process printed but survives). */
    failure?: () => string | undefined;
  },
): Promise<void> {
  const isReady = options.isReady ?? (() => true);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.proc?.exitStatus) {
      const { code, signal } = options.proc.exitStatus;
      throw new Error(`exited (${signal ?? `code ${code}`}) before ${url} answered`);
    }
    const failure = options.failure?.();
    if (failure) throw new Error(`${failure} before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      // Read the body rather than cancel it: a cancelled body makes workerd log a broken pipe.
      await response.arrayBuffer();
      if (isReady(response)) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() >= deadline)
      throw new Error(`${url} did not answer within ${options.timeoutMs} ms`);
    await sleep(200);
  }
}
