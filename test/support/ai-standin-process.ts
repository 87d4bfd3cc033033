/** The Workers AI stand-in (ai-standin/) as a real child process, on a port of its own. */
import { startStandinProcess } from '../../standin-kit/process';
import type { RunningProcess } from './devnet-process';

export interface AiStandinProcessOptions {
  /** How long to wait for `/health`; 60 s by default (it starts in well under a second alone). */
  readyTimeoutMs?: number;
}

/** `url` is the base URL to give the Worker as WORKERS_AI_URL. */
export function startAiStandinProcess(
  options: AiStandinProcessOptions = {},
): Promise<RunningProcess> {
  return startStandinProcess({
    name: 'ai-standin',
    hostVar: 'AI_STANDIN_HOST',
    portVar: 'AI_STANDIN_PORT',
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
