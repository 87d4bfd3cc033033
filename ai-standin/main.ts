/**
 * `npm run ai-standin`: starts the local Workers AI stand-in and prints its URL and models.
 * Environment: AI_STANDIN_PORT (default 4010; 0 for any free port), AI_STANDIN_HOST (default
 * 127.0.0.1).
 */
import { MODELS } from './models.ts';
import { DEFAULT_HOST, DEFAULT_PORT, startAiStandin } from './server.ts';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${name} must be a port number (0 to 65535), got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const standin = await startAiStandin({
    port: portFromEnv('AI_STANDIN_PORT', DEFAULT_PORT),
    host: process.env.AI_STANDIN_HOST || DEFAULT_HOST,
    log: (line) => console.log(`[ai-standin] ${line}`),
  });
  console.log(`Workers AI stand-in listening on ${standin.url}`);
  console.log(`  POST ${standin.url}/client/v4/accounts/<any account>/ai/run/<model>, for:`);
  for (const model of MODELS.keys()) console.log(`    ${model}`);
  console.log(`  faults: POST/DELETE ${standin.url}/ai-standin/faults (see ai-standin/README.md)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[ai-standin] ${signal}: stopping`);
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
