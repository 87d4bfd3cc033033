/**
 * The public shape of the paying client: its options, the options of one call, and what a call
 * returns. Outcomes are a discriminated union on `type`; transport failures are thrown
 * (`X402ClientError`), as `fetch` itself throws when offline.
 */
import type {
  PaymentRequired,
  PaymentRequirements,
  SettlementResponse,
} from '../src/payment/protocol';
import type { StacksNetworkName, TokenType } from '../src/stacks/tokens';
import type { PaymentRefusalCode } from './errors';
import type { PaymentPending, PaymentStatusReport } from './payment-status';
import type { FetchFunction } from './stacks-api';

export interface X402ClientOptions {
  /** Hex secp256k1 private key of the payer (64 hex digits, or 66 with the `01` suffix). */
  privateKey: string;
  /** The Stacks network this client pays on; requirements on any other network are refused. */
  network: StacksNetworkName;
  /** Stacks API base URL, for the payer's nonce and the fee rate. */
  stacksApiUrl: string;
  /** Token to pay with when the server offers it (also sent as `X-PAYMENT-TOKEN-TYPE`). */
  preferredToken?: TokenType;
  /** Most this client pays for one call, in atomic units of whichever token is chosen. */
  maxAmount?: bigint | number | string;
  /** Most this client pays for one call, per token (atomic units); the lower of this and `maxAmount` applies. */
  maxAmountPerCall?: Partial<Record<TokenType, bigint>>;
  /**
   * Most this client spends over its life, per token (atomic units). A payment that would go past
   * what is left is refused (`budget_exceeded`) before anything is signed. Tokens left out are
   * not limited.
   */
  budget?: Partial<Record<TokenType, bigint>>;
  /** A fixed transaction fee in µSTX, instead of the Stacks API's fee rate. */
  fee?: bigint | number | string;
  /** Most µSTX of transaction fee the client accepts from the fee estimate. */
  maxFee?: bigint | number | string;
  /** Base URL of the paid API, so `paymentStatus` takes a bare payment id. */
  apiUrl?: string;
  /** After a `202 payment_pending`, poll the payment and collect the result (default true). */
  waitForDelivery?: boolean;
  /** How long to wait for delivery after a 202 before returning it (default 120 000 ms). */
  deliveryTimeoutMs?: number;
  /**
   * How long one attempt of the paid request may take before it is retried with the same
   * `payment-signature` (default 60 000 ms).
   */
  paidRequestTimeoutMs?: number;
  /** Injected fetch (tests, proxies, instrumented agents); defaults to the global one. */
  fetch?: FetchFunction;
}

/** Options of one `fetch` call. */
export interface X402CallOptions {
  /**
   * The payment identifier of this logical request (16 to 128 of `[A-Za-z0-9_-]`); generated when
   * absent. Reusing it after a crash or restart collects the result without paying twice.
   */
  paymentIdentifier?: string;
  /** Overrides the client's `preferredToken` for this call (a session paying in several tokens). */
  preferredToken?: TokenType;
  /** Overrides the client's `waitForDelivery` for this call. */
  waitForDelivery?: boolean;
  /** Overrides the client's `deliveryTimeoutMs` for this call. */
  deliveryTimeoutMs?: number;
  /** Called with each status polled while waiting after a 202. */
  onPaymentStatus?: (status: PaymentStatusReport) => void;
  /** Called after each resend of the paid request while waiting after a 202. */
  onResend?: (resend: PaidRequestResend) => void;
}

/**
 * The paid request sent again while waiting after a 202: the same headers and body, the same
 * `payment-signature` (same transaction, same payment identifier), so nothing more is paid.
 */
export interface PaidRequestResend {
  /** The payment waited for (the 202's `paymentId`). */
  paymentId: string;
  /**
   * Why: the payment is still `broadcasting` (a resend makes the server broadcast the same signed
   * transaction again), its status could not be read, or it became deliverable (to collect it).
   */
  reason: 'broadcasting' | 'status_unknown' | 'deliverable';
  /** The HTTP status of the answer; undefined when none came before the delivery deadline. */
  status?: number;
}

/** The payment this client signed and sent with the retried request. */
export interface SentPayment {
  /** The requirement paid, exactly as the server listed it (and as sent back in `accepted`). */
  requirement: PaymentRequirements;
  tokenType: TokenType;
  /** The payer: the address of this client's private key. */
  from: string;
  nonce: bigint;
  /** Transaction fee in µSTX. */
  fee: bigint;
  /** `0x`-prefixed transaction id. */
  txid: string;
  /** The serialized transaction, hex, as sent in `payload.transaction`. */
  transaction: string;
}

/** What is known about a payment once it was sent. */
export interface PaymentTrail {
  /** The 402 challenge answered on the way, if there was one. */
  paymentRequired?: PaymentRequired;
  payment?: SentPayment;
  /** The `payment-identifier` sent with the payment. */
  paymentIdentifier?: string;
  /** The decoded `payment-response` receipt. */
  paymentResponse?: SettlementResponse;
  /** `x-payment-id` (or the 202's `paymentId`): the id for `GET /payment-status/{paymentId}`. */
  paymentId?: string;
  /**
   * Where to follow the payment (free): `x-payment-status-url`, else the 202's `checkStatusUrl`,
   * else `/payment-status/{paymentId}` on the resource's origin.
   */
  checkStatusUrl?: string;
  /** `x-payer-address`: the payer as the server identified it. */
  payer?: string;
  /** The server's last `202 payment_pending` answer, when it gave one. */
  pending?: PaymentPending;
  /** The last payment status polled after a 202. */
  paymentStatus?: PaymentStatusReport;
}

/**
 * The server's final answer (after paying, when it asked for payment). A `202` with `pending` set
 * means paid but not delivered yet: resume with `paymentStatus(checkStatusUrl)` and the same
 * `paymentIdentifier`.
 */
export interface X402Response extends PaymentTrail {
  type: 'response';
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else its text. */
  body: unknown;
}

/** The server asked for a payment this client would not make; nothing was signed or sent. */
export interface X402Refusal {
  type: 'refused';
  code: PaymentRefusalCode;
  message: string;
  /** The 402 that was refused. */
  status: number;
  headers: Headers;
  body: unknown;
  paymentRequired?: PaymentRequired;
}

/**
 * The payment was sent, the server answered 202, and the payment then ended `failed`, `replaced`
 * or `not_found`: nothing was delivered, and the client did not pay again.
 */
export interface X402PaymentFailed extends PaymentTrail {
  type: 'payment_failed';
  message: string;
  /** The last HTTP answer (the 202). */
  status: number;
  headers: Headers;
  body: unknown;
  payment: SentPayment;
  paymentIdentifier: string;
  paymentId: string;
  pending: PaymentPending;
  paymentStatus: PaymentStatusReport;
}

export type X402Result = X402Response | X402Refusal | X402PaymentFailed;

export interface X402Client {
  /** The payer's Stacks address. */
  readonly address: string;
  readonly network: StacksNetworkName;
  fetch(input: string | URL, init?: RequestInit, options?: X402CallOptions): Promise<X402Result>;
  /** `GET /payment-status/{paymentId}` (free), by payment id (needs `apiUrl`) or status URL. */
  paymentStatus(paymentIdOrUrl: string, signal?: AbortSignal): Promise<PaymentStatusReport>;
  /** Atomic units sent so far, per token, by this client. */
  spent(): Record<TokenType, bigint>;
}
