/**
 * `npm run devnet`: starts the local Stacks devnet and prints its URL and funded accounts.
 * Environment: DEVNET_PORT (default 3999), DEVNET_HOST (default 127.0.0.1), DEVNET_BLOCK_TIME_MS
 * (default 2000; 0 mines only on `POST /devnet/mine`), DEVNET_FACILITATOR_SPONSOR (the account whose
 * key the facilitator sponsors sponsored payments with: `faucet` by default, `none` for no sponsor).
 */
import { TOKENS } from '../src/stacks/tokens.ts';
import { type DevnetAccountName, isDevnetAccountName } from './accounts.ts';
import { bnsNameOf } from './bns-names.ts';
import { FACILITATOR_NETWORK } from './facilitator.ts';
import { DEVNET_TOKENS } from './genesis.ts';
import { DEFAULT_BLOCK_TIME_MS, DEFAULT_PORT, type Devnet, startDevnet } from './server.ts';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/** DEVNET_FACILITATOR_SPONSOR: the account `/settle` sponsors with (`faucet` by default, `none`: off). */
function facilitatorSponsorFromEnv(): DevnetAccountName | undefined {
  const raw = process.env.DEVNET_FACILITATOR_SPONSOR?.trim() || 'faucet';
  if (raw === 'none') return undefined;
  if (!isDevnetAccountName(raw))
    throw new Error(`DEVNET_FACILITATOR_SPONSOR: no devnet account ${raw}`);
  return raw;
}

/** `12345678` with 6 decimals -> `12.345678`, trailing zeros kept short. */
function formatUnits(atomic: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const fraction = (atomic % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${(atomic / scale).toLocaleString('en-US')}${fraction ? `.${fraction}` : ''}`;
}

function printAccounts(devnet: Devnet): void {
  const rows = devnet.accounts.map((account) => {
    const state = devnet.chain.book.get(account.address);
    const tokens = DEVNET_TOKENS.map((token) =>
      formatUnits(state.fungible.get(token.assetId)?.balance ?? 0n, TOKENS[token.type].decimals),
    );
    const stx = formatUnits(state.stx.balance, 6);
    return [account.name, bnsNameOf(account.name), account.address, stx, ...tokens];
  });
  const header = ['account', 'BNS name', 'address', 'STX', ...DEVNET_TOKENS.map((t) => t.type)];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < 3 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    '\nPrivate keys: devnet/accounts.ts (public Clarinet test mnemonics; never use them on a real network).',
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const devnet = await startDevnet({
    port: numberFromEnv('DEVNET_PORT', DEFAULT_PORT),
    host: process.env.DEVNET_HOST || undefined,
    blockTimeMs: numberFromEnv('DEVNET_BLOCK_TIME_MS', DEFAULT_BLOCK_TIME_MS),
    facilitatorSponsor: facilitatorSponsorFromEnv(),
    log: (line) => console.log(`[devnet] ${line}`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Stacks devnet (testnet, chain id 0x80000000) listening on ${devnet.url} (started in ${seconds} s)`,
  );
  for (const token of DEVNET_TOKENS) console.log(`  ${token.type}: ${token.assetId}`);
  console.log(
    `  x402 facilitator (${FACILITATOR_NETWORK}): ${devnet.url}/supported, /verify, /settle`,
  );
  console.log('');
  printAccounts(devnet);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[devnet] ${signal}: stopping`);
    devnet.close().then(
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
