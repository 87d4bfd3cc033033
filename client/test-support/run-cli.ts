/** Runs `npm run pay` (client/cli.ts through tsx) as a child process, as a user would. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` gives the API and Stacks API URLs (X402_API_URL, STACKS_API_URL). */
export async function runPayCli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(
      `${ROOT}node_modules/.bin/tsx`,
      [`${ROOT}client/cli.ts`, ...args],
      { env: { ...process.env, ...env }, cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
