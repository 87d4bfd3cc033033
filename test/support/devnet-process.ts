/** The local devnet (DESIGN section 7) as a real child process, on a port of its own. */
import { spawnGroup, stopGroup, TSX_BIN, waitForHttp } from '../../scripts/process-group';
import { captureOutput, errorWithOutput } from './output-buffer';
import { freePort } from './ports';

export interface RunningProcess {
  /** Base URL, no trailing slash. */
  url: string;
  /** Pid of the child, and id of its process group. */
  pid: number;
  /** Recent stdout and stderr. */
  output(): string;
  /** Stops the whole process group and waits for the child's exit. */
  stop(): Promise<void>;
}

export interface DevnetProcessOptions {
  /** Milliseconds between blocks (passed as DEVNET_BLOCK_TIME_MS). */
  blockTimeMs?: number;
  /** How long to wait for `/v2/info`; 60 s by default (the Clarity VM loads first). */
  readyTimeoutMs?: number;
}

export async function startDevnetProcess(
  options: DevnetProcessOptions = {},
): Promise<RunningProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEVNET_HOST: '127.0.0.1',
    DEVNET_PORT: String(port),
  };
  if (options.blockTimeMs !== undefined) env.DEVNET_BLOCK_TIME_MS = String(options.blockTimeMs);
  const proc = spawnGroup(TSX_BIN, ['devnet/main.ts'], { env });
  const output = captureOutput(proc);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(proc);
  };
  try {
    await waitForHttp(`${url}/v2/info`, {
      timeoutMs: options.readyTimeoutMs ?? 120_000,
      proc,
      isReady: (response) => response.ok,
    });
  } catch (error) {
    await stop();
    throw errorWithOutput(`devnet: ${(error as Error).message}`, output);
  }
  return { url, pid: proc.pid, output: output.text, stop };
}
