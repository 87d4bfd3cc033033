/**
 * Asks an endpoint its price without paying: the request goes out once without a payment; a 402
 * is decoded into its PaymentRequired, any other answer is returned as it is (a free endpoint).
 */
import {
  decodePaymentRequired,
  type FetchFunction,
  type PaymentRequired,
  X402ClientError,
} from '../client';
import { readResponse } from '../client/http';
import { TOKEN_TYPE_HEADER } from '../src/payment/protocol';
import type { TokenType } from '../src/stacks/tokens';
import type { EndpointRequest } from './endpoint-request';

export type ProbeOutcome =
  | { type: 'payment_required'; paymentRequired: PaymentRequired; ignored: string[] }
  | { type: 'invalid_payment_required'; reason: string }
  | { type: 'not_paid'; status: number; body: unknown };

export async function probeEndpoint(
  fetchFn: FetchFunction,
  request: EndpointRequest,
  tokenType?: TokenType,
): Promise<ProbeOutcome> {
  const headers = new Headers(request.init.headers);
  // Asking for a token puts its entry first, as a paying call would see it.
  if (tokenType !== undefined) headers.set(TOKEN_TYPE_HEADER, tokenType);
  let response: Response;
  try {
    response = await fetchFn(request.url, { ...request.init, headers });
  } catch (error) {
    throw new X402ClientError('resource_unreachable', `cannot reach ${request.url}`, {
      cause: error,
    });
  }
  const read = await readResponse(response);
  if (read.status !== 402) return { type: 'not_paid', status: read.status, body: read.body };
  const decoded = decodePaymentRequired(read.headers, read.text);
  if (!decoded.ok) return { type: 'invalid_payment_required', reason: decoded.reason };
  return {
    type: 'payment_required',
    paymentRequired: decoded.paymentRequired,
    ignored: decoded.ignored,
  };
}
