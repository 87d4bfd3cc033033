/**
 * `npm run pay -- POST /hashing/sha256 '{"data":"hello world"}' --token sBTC`: calls the API,
 * pays the 402 from a devnet account (or a raw key), and prints what happened.
 * `npm run pay -- --status pay_...` prints a payment's status (free). Exit status: 0 when the
 * final answer is a delivered 2xx, 3 when paid but not delivered yet (202), 2 on a usage error,
 * 1 otherwise.
 */
import { getDevnetAccount, isDevnetAccountName } from '../devnet/accounts';
import { type CliOptions, parseCliArgs, type StatusCliOptions, USAGE } from './cli-args';
import { formatRefusal, formatResend, formatResponse, isPendingDelivery } from './cli-output';
import { formatStatusReport } from './cli-status-output';
import { X402ClientError } from './errors';
import { fetchPaymentStatus, type PaymentStatusReport, paymentStatusUrl } from './payment-status';
import { createX402Client } from './x402-client';

/** Exit status when the payment was made but its result is not delivered yet. */
const EXIT_PENDING = 3;

async function resolvePayer(options: CliOptions): Promise<{ privateKey: string; label: string }> {
  if (options.privateKey !== undefined) return { privateKey: options.privateKey, label: '' };
  if (!isDevnetAccountName(options.account)) {
    throw new Error(`unknown devnet account ${options.account} (try wallet_1 .. wallet_8)`);
  }
  const account = await getDevnetAccount(options.account);
  return { privateKey: account.privateKey, label: ` (${account.name})` };
}

/** The sentence for a failure, with what to do about it when we know. */
function explain(error: unknown, apiUrl: string, stacksApiUrl?: string): string {
  if (!(error instanceof X402ClientError)) {
    return error instanceof Error ? error.message : String(error);
  }
  if (error.paymentIdentifier !== undefined) {
    return `${error.message}\nrepeat the call with --id ${error.paymentIdentifier}`;
  }
  switch (error.code) {
    case 'resource_unreachable':
      return `cannot reach the API at ${apiUrl}: is \`npm run dev\` running?`;
    case 'stacks_api_unreachable':
      return `cannot reach the Stacks API at ${stacksApiUrl}: is \`npm run dev\` (or \`npm run devnet\`) running?`;
    default:
      return `${error.message} (${error.code})`;
  }
}

async function pay(options: CliOptions): Promise<number> {
  const payer = await resolvePayer(options);
  const client = createX402Client({
    privateKey: payer.privateKey,
    network: options.network,
    stacksApiUrl: options.stacksApiUrl,
    preferredToken: options.tokenType,
    maxAmount: options.maxAmount,
    fee: options.fee,
    apiUrl: options.apiUrl,
    waitForDelivery: options.waitForDelivery,
  });
  console.log(`${options.method} ${options.url}`);
  const seen: PaymentStatusReport[] = [];
  let lastResend = '';
  const result = await client.fetch(
    options.url,
    {
      method: options.method,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body,
    },
    {
      paymentIdentifier: options.paymentIdentifier,
      onPaymentStatus: (report) => {
        // Live progress on stderr; the summary on stdout lists the same statuses.
        if (report.status !== seen.at(-1)?.status) {
          console.error(`waiting: payment ${report.paymentId} is ${report.status}`);
        }
        seen.push(report);
      },
      onResend: (resend) => {
        // Same payment-signature, nothing more paid; a line repeated tick after tick shows once.
        const line = formatResend(resend);
        if (line !== lastResend) console.error(line);
        lastResend = line;
      },
    },
  );
  if (result.type === 'refused') {
    console.log(formatRefusal(result).join('\n'));
    return 1;
  }
  const label = `${client.address}${payer.label}`;
  console.log(formatResponse(result, label, seen, options.waitForDelivery).join('\n'));
  if (result.type === 'payment_failed') return 1;
  if (isPendingDelivery(result)) return EXIT_PENDING;
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

async function showStatus(options: StatusCliOptions): Promise<number> {
  const url = paymentStatusUrl(options.paymentId, options.apiUrl);
  const report = await fetchPaymentStatus((input, init) => fetch(input, init), url);
  console.log(formatStatusReport(report).join('\n'));
  return 0;
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
  const { options } = parsed;
  try {
    return parsed.type === 'status' ? await showStatus(parsed.options) : await pay(parsed.options);
  } catch (error) {
    const stacksApiUrl = parsed.type === 'run' ? parsed.options.stacksApiUrl : undefined;
    console.error(`error: ${explain(error, options.apiUrl, stacksApiUrl)}`);
    return 1;
  }
}

process.exitCode = await main();
