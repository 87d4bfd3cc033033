/**
 * `npm run openrouter-standin`: starts the local OpenRouter stand-in and prints its URL and
 * models. Environment: OPENROUTER_STANDIN_PORT (default 4020; 0 for any free port),
 * OPENROUTER_STANDIN_HOST (default 127.0.0.1), OPENROUTER_STANDIN_CHUNK_DELAY_MS (pause between
 * streamed frames, default 5).
 */
import { MODELS } from './models.ts';
import {
  DEFAULT_CHUNK_DELAY_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  startOpenRouterStandin,
} from './server.ts';

function wholeNumberFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const standin = await startOpenRouterStandin({
    port: wholeNumberFromEnv('OPENROUTER_STANDIN_PORT', DEFAULT_PORT, 65_535),
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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[openrouter-standin] ${signal}: stopping`);
    standin.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
