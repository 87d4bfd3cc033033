/** The OpenRouter stand-in (openrouter-standin/) as a real child process, on a port of its own. */
import { spawnGroup, stopGroup, TSX_BIN, waitForHttp } from '../../scripts/process-group';
import type { RunningProcess } from './devnet-process';
import { captureOutput, errorWithOutput } from './output-buffer';
import { freePort } from './ports';

export interface OpenRouterStandinProcessOptions {
  /** How long to wait for `/health`; 20 s by default (it starts in well under a second). */
  readyTimeoutMs?: number;
  /** Pause between streamed frames (OPENROUTER_STANDIN_CHUNK_DELAY_MS); the stand-in's 5 ms by default. */
  chunkDelayMs?: number;
}

/**
 * `url` is the stand-in's origin (`http://127.0.0.1:PORT`); OpenRouter's API is under it at
 * `${url}/api/v1`, the value to give the Worker as OPENROUTER_API_URL. Any non-empty bearer key is
 * accepted (`sk-or-no-credits` answers 402, `sk-or-invalid` 401).
 */
export async function startOpenRouterStandinProcess(
  options: OpenRouterStandinProcessOptions = {},
): Promise<RunningProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENROUTER_STANDIN_HOST: '127.0.0.1',
    OPENROUTER_STANDIN_PORT: String(port),
  };
  if (options.chunkDelayMs !== undefined) {
    env.OPENROUTER_STANDIN_CHUNK_DELAY_MS = String(options.chunkDelayMs);
  }
  const proc = spawnGroup(TSX_BIN, ['openrouter-standin/main.ts'], { env });
  const output = captureOutput(proc);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(proc);
  };
  try {
    await waitForHttp(`${url}/health`, {
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      proc,
      isReady: (response) => response.ok,
    });
  } catch (error) {
    await stop();
    throw errorWithOutput(`openrouter-standin: ${(error as Error).message}`, output);
  }
  return { url, pid: proc.pid, output: output.text, stop };
}
