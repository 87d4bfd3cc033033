/**
 * `npm run pay -- POST /hashing/sha256 '{"data":"hello world"}' --token sBTC`: calls the API,
 * pays the 402 from a devnet account (or a raw key), and prints what happened. Exits 0 only when
 * the final answer is 2xx.
 */
import { getDevnetAccount, isDevnetAccountName } from '../devnet/accounts';
import { type CliOptions, parseCliArgs, USAGE } from './cli-args';
import { formatRefusal, formatResponse } from './cli-output';
import { X402ClientError } from './errors';
import { createX402Client, type X402Result } from './x402-client';

async function resolvePayer(options: CliOptions): Promise<{ privateKey: string; label: string }> {
  if (options.privateKey !== undefined) return { privateKey: options.privateKey, label: '' };
  if (!isDevnetAccountName(options.account)) {
    throw new Error(`unknown devnet account ${options.account} (try wallet_1 .. wallet_8)`);
  }
  const account = await getDevnetAccount(options.account);
  return { privateKey: account.privateKey, label: ` (${account.name})` };
}

/** The sentence for a failure, with what to do about it when we know. */
function explain(error: unknown, options: CliOptions): string {
  if (error instanceof X402ClientError) {
    switch (error.code) {
      case 'resource_unreachable':
        return `cannot reach the API at ${options.apiUrl}: is \`npm run dev\` running?`;
      case 'stacks_api_unreachable':
        return `cannot reach the Stacks API at ${options.stacksApiUrl}: is \`npm run dev\` (or \`npm run devnet\`) running?`;
      default:
        return `${error.message} (${error.code})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

async function run(options: CliOptions): Promise<number> {
  const payer = await resolvePayer(options);
  const client = createX402Client({
    privateKey: payer.privateKey,
    network: options.network,
    stacksApiUrl: options.stacksApiUrl,
    preferredToken: options.tokenType,
    maxAmount: options.maxAmount,
    fee: options.fee,
  });
  console.log(`${options.method} ${options.url}`);
  const result: X402Result = await client.fetch(options.url, {
    method: options.method,
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    body: options.body,
  });
  if (result.type === 'refused') {
    console.log(formatRefusal(result).join('\n'));
    return 1;
  }
  console.log(formatResponse(result, `${client.address}${payer.label}`).join('\n'));
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

async function main(): Promise<number> {
  const parsed = parseCliArgs(process.argv.slice(2), process.env);
  if (parsed.type === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.type === 'usage_error') {
    console.error(`error: ${parsed.message}\n${USAGE.split('\n')[0]}  (--help for options)`);
    return 2;
  }
  try {
    return await run(parsed.options);
  } catch (error) {
    console.error(`error: ${explain(error, parsed.options)}`);
    return 1;
  }
}

process.exitCode = await main();
