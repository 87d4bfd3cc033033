/** What the stand-ins' `main.ts` share: settings from the environment, and stopping on signals. */

/** A whole number from `process.env[name]`, `fallback` when unset or empty. */
export function wholeNumberFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

/** A port from `process.env[name]` (0 for any free port). */
export const portFromEnv = (name: string, fallback: number): number =>
  wholeNumberFromEnv(name, fallback, 65_535);

/** Closes the stand-in and exits on SIGINT or SIGTERM (once). */
export function stopOnSignals(label: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${label}] ${signal}: stopping`);
    close().then(
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

/** Runs a stand-in's `main`, exiting with its error if it fails to start. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
