/**
 * `npm run mcp`: the MCP server over stdio. Configuration from the environment (see README, "MCP
 * server"); stdout carries the protocol, so everything for people goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createX402Client, type FetchFunction } from '../client';
import { TOKEN_TYPES, type TokenType } from '../src/stacks/tokens';
import { readMcpConfig } from './config';
import { formatTokenAmount } from './price-options';
import { createMcpServer, SERVER_NAME } from './server';
import { resolvePayingKey } from './wallet';

const log = (line: string) => process.stderr.write(`${SERVER_NAME}: ${line}\n`);

function describeCaps(caps: Record<TokenType, bigint>): string {
  return TOKEN_TYPES.map((token) => formatTokenAmount(caps[token], token)).join(', ');
}

async function main(): Promise<void> {
  const config = readMcpConfig(process.env);
  const key = await resolvePayingKey(config.wallet);
  const fetchFn: FetchFunction = (input, init) => globalThis.fetch(input, init);
  const client = createX402Client({
    privateKey: key.privateKey,
    network: config.network,
    stacksApiUrl: config.stacksApiUrl,
    apiUrl: config.apiUrl,
    maxAmountPerCall: config.maxPerCall,
    budget: config.maxPerSession,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    fetch: fetchFn,
  });
  if (config.wallet.type === 'devnet_default') {
    log(
      'no X402_MNEMONIC or X402_PRIVATE_KEY set: paying from the devnet wallet_1 (public test keys, local use only)',
    );
  }
  log(`paying from ${client.address} (${key.label}) on ${config.network}`);
  log(`API ${config.apiUrl}, Stacks API ${config.stacksApiUrl}`);
  log(
    `caps per call: ${describeCaps(config.maxPerCall)}; per session: ${describeCaps(config.maxPerSession)}`,
  );
  const server = createMcpServer({ config, client, fetch: fetchFn });
  await server.connect(new StdioServerTransport());
}

try {
  await main();
} catch (error) {
  // A configuration error is a sentence for the person starting the server; anything else too.
  log(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
