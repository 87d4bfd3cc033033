/**
 * Reads the x402 v2 challenge out of a 402 response (DESIGN section 3): the `payment-required`
 * header first, the JSON body as a fallback for servers that only send the body. Entries of
 * `accepts` that are not Stacks `exact` requirements are set aside rather than failing the whole
 * challenge, since a server may also offer schemes or networks this client does not pay with.
 */
import { decodeBase64Json } from '../src/payment/header-codec';
import {
  PAYMENT_REQUIRED_HEADER,
  type PaymentRequired,
  type PaymentRequirements,
  type SettlementResponse,
  X402_VERSION,
} from '../src/payment/protocol';

export type PaymentRequiredDecoding =
  | {
      ok: true;
      /** The challenge, with `accepts` narrowed to the well-formed requirements (kept verbatim). */
      paymentRequired: PaymentRequired;
      /** Why each other entry of `accepts` was set aside, e.g. `accepts[2]: scheme is "upto"`. */
      ignored: string[];
    }
  | { ok: false; reason: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ATOMIC_AMOUNT = /^[0-9]+$/;

/** Returns why `value` is not a PaymentRequirements this client understands, or undefined. */
export function describeInvalidRequirement(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not an object';
  if (value.scheme !== 'exact') return `scheme is ${JSON.stringify(value.scheme)}, not "exact"`;
  if (typeof value.network !== 'string') return 'network is not a string';
  if (typeof value.amount !== 'string' || !ATOMIC_AMOUNT.test(value.amount)) {
    return 'amount is not a decimal string of atomic units';
  }
  if (typeof value.asset !== 'string' || value.asset === '') return 'asset is not a string';
  if (typeof value.payTo !== 'string' || value.payTo === '') return 'payTo is not a string';
  if (typeof value.maxTimeoutSeconds !== 'number') return 'maxTimeoutSeconds is not a number';
  const extra = value.extra;
  if (!isObject(extra)) return 'extra is not an object';
  if (typeof extra.tokenType !== 'string') return 'extra.tokenType is not a string';
  if (extra.tokenContract !== undefined && typeof extra.tokenContract !== 'string') {
    return 'extra.tokenContract is not a string';
  }
  if (typeof extra.decimals !== 'number') return 'extra.decimals is not a number';
  if (typeof extra.pricingTier !== 'string') return 'extra.pricingTier is not a string';
  return undefined;
}

function isPaymentRequirements(value: unknown): value is PaymentRequirements {
  return describeInvalidRequirement(value) === undefined;
}

/** Validates a decoded PaymentRequired object. Never throws. */
export function validatePaymentRequired(value: unknown): PaymentRequiredDecoding {
  if (!isObject(value)) return { ok: false, reason: 'the PaymentRequired is not a JSON object' };
  if (value.x402Version !== X402_VERSION) {
    return { ok: false, reason: `x402Version is ${JSON.stringify(value.x402Version)}, not 2` };
  }
  if (!isObject(value.resource) || typeof value.resource.url !== 'string') {
    return { ok: false, reason: 'resource.url is missing' };
  }
  if (!Array.isArray(value.accepts) || value.accepts.length === 0) {
    return { ok: false, reason: 'accepts is not a non-empty array' };
  }
  const accepts: PaymentRequirements[] = [];
  const ignored: string[] = [];
  value.accepts.forEach((entry: unknown, index: number) => {
    if (isPaymentRequirements(entry)) accepts.push(entry);
    else ignored.push(`accepts[${index}]: ${describeInvalidRequirement(entry)}`);
  });
  if (accepts.length === 0) {
    return { ok: false, reason: `no usable requirement in accepts (${ignored.join('; ')})` };
  }
  // The object is otherwise kept as sent: `resource` and each requirement go back verbatim.
  const paymentRequired = { ...value, accepts } as unknown as PaymentRequired;
  return { ok: true, paymentRequired, ignored };
}

/**
 * Decodes the challenge of a 402 from its `payment-required` header, or from its body text when
 * the header is absent. Pass the body text already read (a body can be read only once).
 */
export function decodePaymentRequired(headers: Headers, bodyText: string): PaymentRequiredDecoding {
  const header = headers.get(PAYMENT_REQUIRED_HEADER);
  if (header !== null) {
    const decoded = decodeBase64Json(header);
    if (!decoded.ok) return { ok: false, reason: `${PAYMENT_REQUIRED_HEADER}: ${decoded.reason}` };
    return validatePaymentRequired(decoded.value);
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {
      ok: false,
      reason: `the 402 has no ${PAYMENT_REQUIRED_HEADER} header and its body is not JSON`,
    };
  }
  return validatePaymentRequired(body);
}

/** Decodes a `payment-response` header; undefined when it is absent or not a SettlementResponse. */
export function decodeSettlementResponse(header: string | null): SettlementResponse | undefined {
  if (header === null) return undefined;
  const decoded = decodeBase64Json(header);
  if (!decoded.ok || !isObject(decoded.value)) return undefined;
  const value = decoded.value;
  if (
    typeof value.success !== 'boolean' ||
    typeof value.transaction !== 'string' ||
    typeof value.network !== 'string'
  ) {
    return undefined;
  }
  return value as unknown as SettlementResponse;
}
