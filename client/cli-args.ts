/**
 * Command line of `npm run pay`: what to call, who pays, and the limits. Flags win over
 * environment variables, which win over the local-development defaults.
 */
import { parseArgs } from 'node:util';
import { parseTokenType, type StacksNetworkName, type TokenType } from '../src/stacks/tokens';

export const USAGE = `Usage: npm run pay -- [METHOD] PATH [JSON_BODY] [options]

  npm run pay -- POST /hashing/sha256 '{"data":"hello world"}' --token sBTC
  npm run pay -- GET /health

Options:
  --token STX|sBTC|USDCx   token to pay with when offered (default: the server's first)
  --account NAME           devnet account paying (default wallet_1; env X402_ACCOUNT)
  --key HEX                raw private key instead of a devnet account
  --api URL                the paid API (default http://127.0.0.1:8787; env X402_API_URL)
  --stacks-api URL         Stacks API for nonce and fee (default http://127.0.0.1:3999; env STACKS_API_URL)
  --network NAME           testnet (default) or mainnet
  --max N                  refuse to pay more than N atomic units of the chosen token
  --fee N                  fixed transaction fee in microSTX instead of the fee estimate
  -h, --help               this text`;

export interface CliOptions {
  method: string;
  /** Absolute URL of the resource. */
  url: string;
  /** JSON request body, as typed (validated as JSON). */
  body?: string;
  tokenType?: TokenType;
  account: string;
  privateKey?: string;
  apiUrl: string;
  stacksApiUrl: string;
  network: StacksNetworkName;
  maxAmount?: string;
  fee?: string;
}

export type CliArgsResult =
  | { type: 'run'; options: CliOptions }
  | { type: 'help' }
  | { type: 'usage_error'; message: string };

const HTTP_METHOD = /^[A-Za-z]+$/;
const INTEGER = /^[0-9]+$/;

export function parseCliArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): CliArgsResult {
  let parsed: ReturnType<typeof parseWithNode>;
  try {
    parsed = parseWithNode(argv);
  } catch (error) {
    return { type: 'usage_error', message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { type: 'help' };

  // `pay /health` is short for `pay GET /health`.
  const args = positionals[0]?.startsWith('/') ? ['GET', ...positionals] : positionals;
  const [method, path, body, ...extra] = args;
  if (method === undefined || path === undefined || !HTTP_METHOD.test(method)) {
    return { type: 'usage_error', message: 'give a method and a path, e.g. POST /hashing/sha256' };
  }
  if (extra.length > 0) return { type: 'usage_error', message: `unexpected argument ${extra[0]}` };
  if (body !== undefined) {
    try {
      JSON.parse(body);
    } catch {
      return { type: 'usage_error', message: `the body is not valid JSON: ${body}` };
    }
  }
  let tokenType: TokenType | undefined;
  if (values.token !== undefined) {
    tokenType = parseTokenType(values.token);
    if (tokenType === undefined) {
      return {
        type: 'usage_error',
        message: `--token must be STX, sBTC or USDCx, not ${values.token}`,
      };
    }
  }
  const network = values.network ?? 'testnet';
  if (network !== 'testnet' && network !== 'mainnet') {
    return { type: 'usage_error', message: `--network must be testnet or mainnet, not ${network}` };
  }
  for (const [flag, value] of [
    ['--max', values.max],
    ['--fee', values.fee],
  ] as const) {
    if (value !== undefined && !INTEGER.test(value)) {
      return { type: 'usage_error', message: `${flag} must be a whole number of atomic units` };
    }
  }
  const apiUrl = (values.api ?? env.X402_API_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  return {
    type: 'run',
    options: {
      method: method.toUpperCase(),
      url: /^https?:\/\//.test(path) ? path : `${apiUrl}${path}`,
      body,
      tokenType,
      account: values.account ?? env.X402_ACCOUNT ?? 'wallet_1',
      privateKey: values.key,
      apiUrl,
      stacksApiUrl: values['stacks-api'] ?? env.STACKS_API_URL ?? 'http://127.0.0.1:3999',
      network,
      maxAmount: values.max,
      fee: values.fee,
    },
  };
}

function parseWithNode(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      token: { type: 'string' },
      account: { type: 'string' },
      key: { type: 'string' },
      api: { type: 'string' },
      'stacks-api': { type: 'string' },
      network: { type: 'string' },
      max: { type: 'string' },
      fee: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
