/**
 * Our MCP server as an MCP client meets it: the `x402-stacks-mcp` command (mcp/bin.js) spawned
 * over stdio by the SDK's `StdioClientTransport`, with only the environment given here. Stopped by
 * closing the client, then by its pid if it is still there.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { REPO_ROOT } from '../../scripts/process-group';

export interface McpServerProcess {
  client: Client;
  pid: number;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

export async function startMcpServerProcess(
  env: Record<string, string>,
): Promise<McpServerProcess> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [`${REPO_ROOT}mcp/bin.js`],
    cwd: REPO_ROOT,
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'x402-e2e', version: '0.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`the MCP server did not start: ${(error as Error).message}\n${stderr}`);
  }
  const pid = transport.pid;
  if (pid === null) throw new Error('the MCP server has no pid');
  const stop = async () => {
    await client.close();
    if (!(await waitForExit(pid, 5_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  };
  return { client, pid, stderr: () => stderr, stop };
}
