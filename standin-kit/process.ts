/** A stand-in's `main.ts` as a real child process on a port of its own (for end-to-end tests). */
import { spawnGroup, stopGroup, TSX_BIN, waitForHttp } from '../scripts/process-group.ts';
import type { RunningProcess } from '../test/support/devnet-process.ts';
import { captureOutput, errorWithOutput } from '../test/support/output-buffer.ts';
import { freePort } from '../test/support/ports.ts';

export interface StandinProcessSpec {
  /** `openrouter-standin`: the folder with its main.ts, and the name in error messages. */
  name: string;
  /** The variables naming its address (`AI_STANDIN_HOST`, `AI_STANDIN_PORT`). */
  hostVar: string;
  portVar: string;
  /** More environment for the child. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for `/health`; 60 s by default (it starts in well under a second alone). */
  readyTimeoutMs?: number;
}

/** Starts `{name}/main.ts` on a free loopback port; `url` is its origin once `/health` answers. */
export async function startStandinProcess(spec: StandinProcessSpec): Promise<RunningProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...spec.env,
    [spec.hostVar]: '127.0.0.1',
    [spec.portVar]: String(port),
  };
  const proc = spawnGroup(TSX_BIN, [`${spec.name}/main.ts`], { env });
  const output = captureOutput(proc);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(proc);
  };
  try {
    await waitForHttp(`${url}/health`, {
      timeoutMs: spec.readyTimeoutMs ?? 60_000,
      proc,
      isReady: (response) => response.ok,
    });
  } catch (error) {
    await stop();
    throw errorWithOutput(`${spec.name}: ${(error as Error).message}`, output);
  }
  return { url, pid: proc.pid, output: output.text, stop };
}
