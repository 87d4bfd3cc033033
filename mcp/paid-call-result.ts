/**
 * The tool result of a paying call, from the client's outcome: the answer with its receipt, a 202
 * still pending with where to follow it, or why nothing (or nothing more) was paid.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { X402Result } from '../client';
import { describePrices, type SpendingCaps } from './price-options';
import { receiptOf } from './receipt';
import { errorResult, jsonResult } from './tool-result';

export function paidCallResult(
  endpoint: string,
  result: X402Result,
  caps: SpendingCaps,
): CallToolResult {
  const session = { spent: caps.spent, maxPerSession: caps.maxPerSession };
  if (result.type === 'refused') {
    return errorResult(
      result.code,
      `refused before paying: ${result.message}. Nothing was signed or sent.`,
      {
        endpoint,
        options:
          result.paymentRequired === undefined
            ? undefined
            : describePrices(result.paymentRequired, caps),
        session,
      },
    );
  }
  const receipt =
    result.payment === undefined ? undefined : receiptOf({ ...result, payment: result.payment });
  if (result.type === 'payment_failed') {
    return errorResult('payment_failed', result.message, {
      endpoint,
      receipt,
      paymentStatus: result.paymentStatus,
      session,
    });
  }
  const { status, body } = result;
  if (status === 202 && result.pending !== undefined) {
    return jsonResult({
      endpoint,
      status,
      pending: true,
      message: `paid, not delivered yet (payment ${result.pending.paymentId} is ${result.paymentStatus?.status ?? result.pending.status}): follow it with get_payment_status, then call again with the same paymentIdentifier to collect the result without paying twice`,
      receipt,
      session,
    });
  }
  if (status < 200 || status >= 300) {
    const paid = receipt === undefined ? '' : ' after paying';
    return errorResult('http_error', `${endpoint} answered ${status}${paid}`, {
      status,
      result: body,
      receipt,
      session,
    });
  }
  // Set when the answer came after waiting on a 202: what the 202 said, and the last status seen.
  const followed202 =
    result.pending === undefined
      ? undefined
      : { status: result.pending.status, lastPolledStatus: result.paymentStatus?.status };
  return jsonResult({
    endpoint,
    status,
    result: body,
    paid: receipt !== undefined,
    receipt,
    followed202,
    session,
  });
}
