/**
 * A minimal x402 v2 resource server for client tests: answers 402 with the PaymentRequired the
 * test gives it (header and body, as DESIGN section 3 says), and hands any request carrying
 * `payment-signature` to the test's `onPaid`. It records every request; checking the payment is
 * the test's job, so assertions stay next to the values they expect.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { decodeBase64Json, encodeBase64Json } from '../../src/payment/header-codec';
import {
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  type PaymentRequired,
  type PaymentRequirements,
  type SettlementResponse,
} from '../../src/payment/protocol';
import {
  assetIdFor,
  CAIP2_NETWORK,
  type StacksNetworkName,
  TOKENS,
  type TokenType,
} from '../../src/stacks/tokens';
import { listenOnLoopback } from './ports';

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

export interface FakeX402ServerOptions {
  /** The challenge for an unpaid request; `resourceUrl` is the absolute URL requested. */
  challenge(resourceUrl: string, request: RecordedRequest): PaymentRequired;
  /** The answer to a request carrying `payment-signature`. */
  onPaid(request: RecordedRequest): FakeReply;
  /** Send the challenge in the body only, like servers that omit `payment-required`. */
  omitChallengeHeader?: boolean;
  /** Paths answered 200 without payment. */
  freePaths?: string[];
}

export interface FakeX402Server {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeX402Server(options: FakeX402ServerOptions): Promise<FakeX402Server> {
  const requests: RecordedRequest[] = [];
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

    let reply: FakeReply;
    if (options.freePaths?.includes(request.path)) {
      reply = { status: 200, body: { free: true } };
    } else if (request.paymentPayload !== undefined) {
      try {
        reply = options.onPaid(request);
      } catch (error) {
        // A throwing test hook must fail the request, not leave the client waiting forever.
        reply = { status: 500, body: { error: String(error) } };
      }
    } else {
      const challenge = options.challenge(`${baseUrl}${request.path}`, request);
      reply = {
        status: 402,
        body: challenge,
        headers: {
          'cache-control': 'no-store',
          ...(options.omitChallengeHeader
            ? {}
            : { [PAYMENT_REQUIRED_HEADER]: encodeBase64Json(challenge) }),
        },
      };
    }
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
  return { url, requests, close };
}

/** Requirements in the shape the Worker builds (DESIGN section 3), one per token, in that order. */
export function stacksRequirements(
  network: StacksNetworkName,
  payTo: string,
  prices: Partial<Record<TokenType, string>>,
): PaymentRequirements[] {
  return (Object.entries(prices) as [TokenType, string][]).map(([tokenType, amount]) => {
    const asset = assetIdFor(tokenType, network);
    return {
      scheme: 'exact',
      network: CAIP2_NETWORK[network],
      amount,
      asset,
      payTo,
      maxTimeoutSeconds: 300,
      extra: {
        tokenType,
        ...(asset === 'STX' ? {} : { tokenContract: asset }),
        decimals: TOKENS[tokenType].decimals,
        pricingTier: 'standard',
      },
    };
  });
}
