/**
 * What `npm run pay` prints: plain lines a person can follow, built as strings so they can be
 * checked without running the CLI.
 */
import { STATUS_CODES } from 'node:http';
import type {
  PaymentRequired,
  PaymentRequirements,
  SettlementResponse,
} from '../src/payment/protocol';
import { parseTokenType, TOKENS } from '../src/stacks/tokens';
import type {
  PaidRequestResend,
  SentPayment,
  X402PaymentFailed,
  X402Refusal,
  X402Response,
} from './client-api';
import type { PaymentStatusReport } from './payment-status';

/** `1500`, 6 decimals -> `0.0015`. */
export function formatUnits(amount: string | bigint, decimals: number): string {
  const digits = amount.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** `2 sats (0.00000002 sBTC)`. */
export function formatPrice(requirement: PaymentRequirements): string {
  const { tokenType, decimals } = requirement.extra;
  const token = parseTokenType(tokenType);
  const unit = token ? TOKENS[token].atomicUnit : 'atomic units';
  const whole = formatUnits(requirement.amount, decimals);
  return `${requirement.amount} ${unit} (${whole} ${tokenType})`;
}

export function formatStatus(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

export function formatPaymentRequired(paymentRequired: PaymentRequired): string[] {
  const { resource, accepts } = paymentRequired;
  const description = resource.description ? ` (${resource.description})` : '';
  return [
    `${formatStatus(402)}: ${resource.url}${description}`,
    ...accepts.map(
      (requirement) =>
        `  ${requirement.extra.tokenType.padEnd(6)} ${formatPrice(requirement)} to ${requirement.payTo} on ${requirement.network}`,
    ),
  ];
}

export function formatPayment(payment: SentPayment, payerLabel: string, identifier?: string) {
  const lines = [
    `Paying ${formatPrice(payment.requirement)} from ${payerLabel}`,
    `  tx ${payment.txid} (nonce ${payment.nonce}, fee ${payment.fee} microSTX)`,
  ];
  if (identifier !== undefined) lines.push(`  payment identifier ${identifier}`);
  return lines;
}

export function formatBody(body: unknown): string {
  if (typeof body === 'string') return body;
  return JSON.stringify(body, null, 2);
}

export function formatReceipt(receipt: SettlementResponse): string {
  const outcome = receipt.success
    ? 'settled'
    : `NOT settled: ${receipt.errorReason ?? 'no reason'}`;
  const payer = receipt.payer ? `, payer ${receipt.payer}` : '';
  const tx = receipt.transaction === '' ? 'no transaction' : `tx ${receipt.transaction}`;
  return `Receipt: ${outcome}, ${tx}${payer}, network ${receipt.network}`;
}

/** Whether the call paid but got no result yet: a 202 `payment_pending` was the last answer. */
export function isPendingDelivery(result: X402Response | X402PaymentFailed): boolean {
  return result.type === 'response' && result.status === 202 && result.pending !== undefined;
}

/** The statuses polled after a 202, one line per change. */
export function formatStatusesSeen(seen: readonly PaymentStatusReport[]): string[] {
  return seen
    .filter((report, index) => index === 0 || report.status !== seen[index - 1].status)
    .map((report) => {
      const reason = report.terminalReason === undefined ? '' : ` (${report.terminalReason})`;
      return `  status ${report.status}${reason}`;
    });
}

const RESEND_REASONS: Record<PaidRequestResend['reason'], string> = {
  broadcasting: 'still broadcasting',
  status_unknown: 'status unavailable',
  deliverable: 'deliverable',
};

/** The progress line for the paid request sent again while waiting after a 202. */
export function formatResend(resend: PaidRequestResend): string {
  const answer = resend.status === undefined ? 'no answer in time' : formatStatus(resend.status);
  return `waiting: sent the request again with the same payment (${RESEND_REASONS[resend.reason]}): ${answer}`;
}

/**
 * Everything after the request line, for an answer the server gave. `seen` lists the statuses
 * polled while waiting after a 202; `waited` says whether the client was allowed to wait.
 */
export function formatResponse(
  result: X402Response | X402PaymentFailed,
  payerLabel: string,
  seen: readonly PaymentStatusReport[] = [],
  waited = true,
): string[] {
  const lines: string[] = [];
  if (result.paymentRequired) lines.push(...formatPaymentRequired(result.paymentRequired));
  if (result.payment) {
    lines.push(...formatPayment(result.payment, payerLabel, result.paymentIdentifier));
  }
  const { pending } = result;
  if (pending) {
    const next = waited ? 'waiting for delivery' : 'not waiting (--no-wait)';
    lines.push(`${formatStatus(202)}: payment ${pending.paymentId} is ${pending.status}; ${next}`);
    lines.push(...formatStatusesSeen(seen));
  }
  if (result.type === 'payment_failed') {
    lines.push(`Not delivered: ${result.message}`);
  } else if (!isPendingDelivery(result)) {
    lines.push(formatStatus(result.status));
    const body = formatBody(result.body);
    if (body !== '') lines.push(body);
  }
  if (result.paymentResponse) {
    lines.push(formatReceipt(result.paymentResponse));
    const charged = result.paymentResponse.transaction;
    if (result.payment && charged !== '' && charged !== result.payment.txid) {
      // A repeat with `--id` signs afresh; the server answers from the payment it already has.
      lines.push(
        `  collected with the earlier payment ${charged}; transaction ${result.payment.txid} was not used`,
      );
    }
  }
  if (result.paymentId) {
    const where = result.checkStatusUrl ?? `GET /payment-status/${result.paymentId}`;
    lines.push(`Payment id: ${result.paymentId} (status, free: ${where})`);
  }
  if (isPendingDelivery(result) && pending) {
    lines.push(
      `Not delivered yet: follow it with \`npm run pay -- --status ${pending.paymentId}\`, then repeat this call with \`--id ${result.paymentIdentifier}\` to collect the result without paying twice`,
    );
  }
  return lines;
}

export function formatRefusal(refusal: X402Refusal): string[] {
  const lines: string[] = [];
  if (refusal.paymentRequired) lines.push(...formatPaymentRequired(refusal.paymentRequired));
  else lines.push(formatStatus(refusal.status), formatBody(refusal.body));
  lines.push(`Not paying (${refusal.code}): ${refusal.message}`);
  return lines;
}
