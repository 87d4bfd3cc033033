/**
 * A scripted x402 v2 resource server for client tests, with the payment lifecycle of DESIGN
 * section 5: it answers 402 with the test's challenge, hands the n-th request carrying
 * `payment-signature` to `onPaid(request, n)` (which may also drop the connection or answer late),
 * and serves `GET /payment-status/{paymentId}` from `onStatus(paymentId, n)`. It records every
 * request; checking them is the test's job, so assertions stay next to the values they expect.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { decodeBase64Json, encodeBase64Json } from '../../src/payment/header-codec';
import {
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  type PaymentRequired,
  type SettlementResponse,
} from '../../src/payment/protocol';
import { listenOnLoopback } from '../../test/support/ports';
import { PAYMENT_STATUS_PATH, type PaymentStatusReport } from '../payment-status';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The decoded `payment-signature` header, when the request carried one. */
  paymentPayload?: unknown;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent base64-encoded as `payment-response`. */
  settlement?: SettlementResponse;
}

/** What the fake does with a paid request: reply, reply late, or drop the connection unanswered. */
export type PaidReply = FakeReply | { delayMs: number; reply: FakeReply } | 'drop';

export interface FakePaidApiOptions {
  /** The challenge for an unpaid request; `resourceUrl` is the absolute URL requested. */
  challenge(resourceUrl: string): PaymentRequired;
  /** The answer to the `index`-th (from 0) request carrying `payment-signature`. */
  onPaid(request: RecordedRequest, index: number): PaidReply;
  /** The answer to the `index`-th (from 0) `GET /payment-status/{paymentId}`. */
  onStatus?(paymentId: string, index: number, baseUrl: string): FakeReply;
  /** Send the challenge in the body only, like servers that omit `payment-required`. */
  omitChallengeHeader?: boolean;
  /** Paths answered 200 `{free: true}` without payment. */
  freePaths?: string[];
}

export interface FakePaidApi {
  url: string;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** The requests that carried `payment-signature`, in order. */
  paidRequests(): RecordedRequest[];
  close(): Promise<void>;
}

function challengeReply(challenge: PaymentRequired, omitHeader: boolean | undefined): FakeReply {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (!omitHeader) headers[PAYMENT_REQUIRED_HEADER] = encodeBase64Json(challenge);
  return { status: 402, body: challenge, headers };
}

export async function startFakePaidApi(options: FakePaidApiOptions): Promise<FakePaidApi> {
  const requests: RecordedRequest[] = [];
  let paidCount = 0;
  let statusCount = 0;
  let baseUrl = '';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const signature = req.headers[PAYMENT_SIGNATURE_HEADER];
    if (typeof signature === 'string') {
      const decoded = decodeBase64Json(signature);
      request.paymentPayload = decoded.ok ? decoded.value : { undecodable: decoded.reason };
    }
    requests.push(request);

    let answer: PaidReply;
    if (options.freePaths?.includes(request.path)) {
      answer = { status: 200, body: { free: true } };
    } else if (request.path.startsWith(PAYMENT_STATUS_PATH) && request.method === 'GET') {
      const paymentId = request.path.slice(PAYMENT_STATUS_PATH.length);
      answer = options.onStatus?.(paymentId, statusCount++, baseUrl) ?? {
        status: 404,
        body: { code: 'payment_not_found', message: `No payment ${paymentId}.` },
      };
    } else if (request.paymentPayload !== undefined) {
      try {
        answer = options.onPaid(request, paidCount++);
      } catch (error) {
        // A throwing test hook must fail the request, not leave the client waiting forever.
        answer = { status: 500, body: { error: String(error) } };
      }
    } else {
      answer = challengeReply(
        options.challenge(`${baseUrl}${request.path}`),
        options.omitChallengeHeader,
      );
    }
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    if ('delayMs' in answer) {
      await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
    }
    const reply = 'delayMs' in answer ? answer.reply : answer;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      ...reply.headers,
    };
    if (reply.settlement) headers[PAYMENT_RESPONSE_HEADER] = encodeBase64Json(reply.settlement);
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  const { url, close } = await listenOnLoopback(server);
  baseUrl = url;
  const paidRequests = () => requests.filter((request) => request.paymentPayload !== undefined);
  return { url, requests, paidRequests, close };
}

/** `POST /hashing/sha256 (paid)`: a recorded request, marked when it carried `payment-signature`. */
export function routeOf(request: RecordedRequest): string {
  const paid = request.paymentPayload === undefined ? '' : ' (paid)';
  return `${request.method} ${request.path}${paid}`;
}

/** A `202 payment_pending` answer, as the Worker sends it. */
export function pendingReply(
  baseUrl: string,
  paymentId: string,
  status: 'broadcasting' | 'mempool',
  retryAfterSeconds = 1,
): FakeReply {
  const checkStatusUrl = `${baseUrl}${PAYMENT_STATUS_PATH}${paymentId}`;
  return {
    status: 202,
    headers: {
      'x-payment-id': paymentId,
      'x-payment-status-url': checkStatusUrl,
      'retry-after': String(retryAfterSeconds),
    },
    body: {
      code: 'payment_pending',
      message: 'Payment received; the result is delivered once it is confirmed.',
      paymentId,
      status,
      checkStatusUrl,
      retryAfterSeconds,
    },
  };
}

/** Fixed clock for status reports: event `n` happens at 12:00:0n. */
export function at(second: number): string {
  return `2030-01-02T12:00:${String(second).padStart(2, '0')}.000Z`;
}

/**
 * A status report whose history walks `statuses` (one second apart); the last one is current.
 * `extra` overrides fields (terminalReason, blockHeight, ...).
 */
export function statusReport(
  baseUrl: string,
  paymentId: string,
  statuses: PaymentStatusReport['status'][],
  extra: Partial<PaymentStatusReport> = {},
): PaymentStatusReport {
  const current = statuses[statuses.length - 1];
  return {
    paymentId,
    status: current,
    txid: `0x${'5a'.repeat(32)}`,
    payer: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
    route: 'POST /hashing/sha256',
    asset: 'STX',
    amount: '1000',
    network: 'stacks:2147483648',
    createdAt: at(0),
    updatedAt: at(statuses.length - 1),
    checkStatusUrl: `${baseUrl}${PAYMENT_STATUS_PATH}${paymentId}`,
    history: statuses.map((status, index) => ({ status, at: at(index) })),
    ...extra,
  };
}
