/**
 * `npm run openrouter-standin`: starts the local OpenRouter stand-in and prints its URL and
 * models. Environment: OPENROUTER_STANDIN_PORT (default 4020; 0 for any free port),
 * OPENROUTER_STANDIN_HOST (default 127.0.0.1), OPENROUTER_STANDIN_CHUNK_DELAY_MS (pause between
 * streamed frames, default 5).
 */
import { portFromEnv, runMain, stopOnSignals, wholeNumberFromEnv } from '../standin-kit/main.ts';
import { MODELS } from './models.ts';
import {
  DEFAULT_CHUNK_DELAY_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  startOpenRouterStandin,
} from './server.ts';

runMain(async () => {
  const standin = await startOpenRouterStandin({
    port: portFromEnv('OPENROUTER_STANDIN_PORT', DEFAULT_PORT),
    host: process.env.OPENROUTER_STANDIN_HOST || DEFAULT_HOST,
    chunkDelayMs: wholeNumberFromEnv(
      'OPENROUTER_STANDIN_CHUNK_DELAY_MS',
      DEFAULT_CHUNK_DELAY_MS,
      60_000,
    ),
    log: (line) => console.log(`[openrouter-standin] ${line}`),
  });
  console.log(`OpenRouter stand-in listening on ${standin.url}`);
  console.log(`  API base (OPENROUTER_API_URL): ${standin.url}/api/v1, any bearer key; models:`);
  for (const model of MODELS) console.log(`    ${model.catalogue.id}`);
  console.log(
    `  faults: POST/DELETE ${standin.url}/openrouter-standin/faults (see openrouter-standin/README.md)`,
  );
  stopOnSignals('openrouter-standin', standin.close);
});
