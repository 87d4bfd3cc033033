/**
 * `npm run ai-standin`: starts the local Workers AI stand-in and prints its URL and models.
 * Environment: AI_STANDIN_PORT (default 4010; 0 for any free port), AI_STANDIN_HOST (default
 * 127.0.0.1).
 */
import { portFromEnv, runMain, stopOnSignals } from '../standin-kit/main.ts';
import { MODELS } from './models.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startAiStandin } from './server.ts';

runMain(async () => {
  const standin = await startAiStandin({
    port: portFromEnv('AI_STANDIN_PORT', DEFAULT_PORT),
    host: process.env.AI_STANDIN_HOST || DEFAULT_HOST,
    log: (line) => console.log(`[ai-standin] ${line}`),
  });
  console.log(`Workers AI stand-in listening on ${standin.url}`);
  console.log(`  POST ${standin.url}/client/v4/accounts/<any account>/ai/run/<model>, for:`);
  for (const model of MODELS.keys()) console.log(`    ${model}`);
  console.log(`  faults: POST/DELETE ${standin.url}/ai-standin/faults (see ai-standin/README.md)`);
  stopOnSignals('ai-standin', standin.close);
});
