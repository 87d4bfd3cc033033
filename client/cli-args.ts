/**
 * Command line of `npm run pay`: what to call, who pays, and the limits. Flags win over
 * environment variables, which win over the local-development defaults.
 */
import { parseArgs } from 'node:util';
import { parseTokenType, type StacksNetworkName, type TokenType } from '../src/stacks/tokens';
import { isValidPaymentIdentifier } from './payment-identifier';

export const USAGE = `Usage: npm run pay -- [METHOD] PATH [JSON_BODY] [options]

  npm run pay -- POST /hashing/sha256 '{"data":"hello world"}' --token sBTC
  npm run pay -- GET /health
  npm run pay -- --status pay_0123456789abcdef0123456789abcdef

Options:
  --token STX|sBTC|USDCx   token to pay with when offered (default: the server's first)
  --account NAME           devnet account paying (default wallet_1; env X402_ACCOUNT)
  --key HEX                raw private key instead of a devnet account
  --api URL                the paid API (default http://127.0.0.1:8787; env X402_API_URL)
  --stacks-api URL         Stacks API for nonce and fee (default http://127.0.0.1:3999; env STACKS_API_URL)
  --network NAME           testnet (default) or mainnet
  --max N                  refuse to pay more than N atomic units of the chosen token
  --fee N                  fixed transaction fee in microSTX instead of the fee estimate
  --id ID                  payment identifier (16-128 of A-Z a-z 0-9 _ -): repeat a call with
                           the id it printed to collect its result without paying twice
  --no-wait                after 202 (paid, not delivered yet), print the payment id and stop
  --status PAYMENT_ID      print a payment's status and history (free, pays nothing)
  -h, --help               this text

Exit status: 0 delivered (2xx), 1 refused or failed, 2 usage error,
             3 paid but not delivered yet (202): follow it with --status`;

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
  /** `--id`: the payment identifier of this call. */
  paymentIdentifier?: string;
  /** False with `--no-wait`. */
  waitForDelivery: boolean;
}

export interface StatusCliOptions {
  /** A payment id (`pay_...`) or a status URL. */
  paymentId: string;
  apiUrl: string;
}

export type CliArgsResult =
  | { type: 'run'; options: CliOptions }
  | { type: 'status'; options: StatusCliOptions }
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
  const apiUrl = (values.api ?? env.X402_API_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  if (values.status !== undefined) {
    if (positionals.length > 0) {
      return { type: 'usage_error', message: '--status takes a payment id, not a method or path' };
    }
    return { type: 'status', options: { paymentId: values.status, apiUrl } };
  }
  if (values.id !== undefined && !isValidPaymentIdentifier(values.id)) {
    return {
      type: 'usage_error',
      message: '--id must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -',
    };
  }

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
      paymentIdentifier: values.id,
      waitForDelivery: !values['no-wait'],
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
      id: { type: 'string' },
      'no-wait': { type: 'boolean' },
      status: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
