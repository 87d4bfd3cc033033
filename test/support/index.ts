/** Helpers for the end-to-end tests in test/e2e: real processes, loopback fakes, free ports. */
export { type AiStandinProcessOptions, startAiStandinProcess } from './ai-standin-process';
export {
  type DevnetProcessOptions,
  type RunningProcess,
  startDevnetProcess,
} from './devnet-process';
export {
  type FakeStacksApi,
  type FakeStacksApiState,
  startFakeStacksApi,
} from './fake-stacks-api';
export {
  type OpenRouterStandinProcessOptions,
  startOpenRouterStandinProcess,
} from './openrouter-standin-process';
export { freePort, listenOnLoopback } from './ports';
export {
  startWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from './worker-process';
