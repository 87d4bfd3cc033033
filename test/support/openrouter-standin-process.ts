/** The OpenRouter stand-in (openrouter-standin/) as a real child process, on a port of its own. */
import { startStandinProcess } from '../../standin-kit/process';
import type { RunningProcess } from './devnet-process';

export interface OpenRouterStandinProcessOptions {
  /** How long to wait for `/health`; 60 s by default (it starts in well under a second alone). */
  readyTimeoutMs?: number;
  /** Pause between streamed frames (OPENROUTER_STANDIN_CHUNK_DELAY_MS); the stand-in's 5 ms by default. */
  chunkDelayMs?: number;
}

/**
 * `url` is the stand-in's origin (`http://127.0.0.1:PORT`); OpenRouter's API is under it at
 * `${url}/api/v1`, the value to give the Worker as OPENROUTER_API_URL. Any non-empty bearer key is
 * accepted (`sk-or-no-credits` answers 402, `sk-or-invalid` 401).
 */
export function startOpenRouterStandinProcess(
  options: OpenRouterStandinProcessOptions = {},
): Promise<RunningProcess> {
  return startStandinProcess({
    name: 'openrouter-standin',
    hostVar: 'OPENROUTER_STANDIN_HOST',
    portVar: 'OPENROUTER_STANDIN_PORT',
    env:
      options.chunkDelayMs === undefined
        ? {}
        : { OPENROUTER_STANDIN_CHUNK_DELAY_MS: String(options.chunkDelayMs) },
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
