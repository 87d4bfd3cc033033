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
import type { SentPayment, X402Refusal, X402Response } from './x402-client';

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

export function formatPayment(payment: SentPayment, payerLabel: string): string[] {
  return [
    `Paying ${formatPrice(payment.requirement)} from ${payerLabel}`,
    `  tx ${payment.txid} (nonce ${payment.nonce}, fee ${payment.fee} microSTX)`,
  ];
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

/** Everything after the request line, for a response the server gave. */
export function formatResponse(result: X402Response, payerLabel: string): string[] {
  const lines: string[] = [];
  if (result.paymentRequired) lines.push(...formatPaymentRequired(result.paymentRequired));
  if (result.payment) lines.push(...formatPayment(result.payment, payerLabel));
  lines.push(formatStatus(result.status));
  const body = formatBody(result.body);
  if (body !== '') lines.push(body);
  if (result.paymentResponse) lines.push(formatReceipt(result.paymentResponse));
  if (result.paymentId) {
    lines.push(`Payment id: ${result.paymentId} (free: GET /payment-status/${result.paymentId})`);
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
