/** The Workers AI stand-in (ai-standin/) as a real child process, on a port of its own. */
import { spawnGroup, stopGroup, TSX_BIN, waitForHttp } from '../../scripts/process-group';
import type { RunningProcess } from './devnet-process';
import { captureOutput, errorWithOutput } from './output-buffer';
import { freePort } from './ports';

export interface AiStandinProcessOptions {
  /** How long to wait for `/health`; 20 s by default (it starts in well under a second). */
  readyTimeoutMs?: number;
}

/** `url` is the base URL to give the Worker as WORKERS_AI_URL. */
export async function startAiStandinProcess(
  options: AiStandinProcessOptions = {},
): Promise<RunningProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AI_STANDIN_HOST: '127.0.0.1',
    AI_STANDIN_PORT: String(port),
  };
  const proc = spawnGroup(TSX_BIN, ['ai-standin/main.ts'], { env });
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
    throw errorWithOutput(`ai-standin: ${(error as Error).message}`, output);
  }
  return { url, pid: proc.pid, output: output.text, stop };
}
