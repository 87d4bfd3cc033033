/**
 * The HTTP server of a stand-in (node:http): reads each body (up to a limit), asks the stand-in's
 * routes for a reply, leaves it unanswered for a `hang` fault or answers it late for a `delay`,
 * logs a line per request, and closes with every connection (held ones included).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JsonReply, RoutedReply, StandinRequest } from './http.ts';

export interface StandinServerOptions<Reply extends { status: number }> {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Receives one line per request. */
  log: (line: string) => void;
  maxBodyBytes: number;
  route(request: StandinRequest): RoutedReply<Reply>;
  /** Writes a reply. */
  send(response: ServerResponse, reply: Reply): Promise<void>;
  /** The answer to a body above `maxBodyBytes`. */
  tooLarge: Reply;
  /** The answer when handling a request failed before anything was sent. */
  internalError: Reply;
  /** Runs when the server closes, before its connections are destroyed. */
  onClose?: () => void;
}

export interface StandinServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export async function startStandinServer<Reply extends { status: number }>(
  options: StandinServerOptions<Reply>,
): Promise<StandinServer> {
  const { log } = options;
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      log(`internal error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) void options.send(response, options.internalError);
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const { host } = options;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        options.onClose?.();
        // Keep-alive connections, streams and requests held by faults would keep it open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle<Reply extends { status: number }>(
  request: IncomingMessage,
  response: ServerResponse,
  options: StandinServerOptions<Reply>,
): Promise<void> {
  const body = await readBody(request, options.maxBodyBytes);
  if (body === undefined) {
    await options.send(response, options.tooLarge);
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const { reply, delayMs } = options.route({
    method: request.method ?? 'GET',
    url: new URL(request.url ?? '/', 'http://standin'),
    headers,
    body,
  });
  if ('hang' in reply) {
    options.log(`${request.method} ${request.url} -> (hanging)`);
    return;
  }
  if (delayMs) await sleep(delayMs);
  options.log(`${request.method} ${request.url} -> ${reply.status}`);
  await options.send(response, reply);
}

async function readBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Uint8Array.from(Buffer.concat(chunks));
}

export function sendJson(response: ServerResponse, reply: JsonReply): void {
  const body = JSON.stringify(reply.json);
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export interface EventStreamOptions {
  headers?: Record<string, string>;
  /** The pause before each frame after the first (0: the next turn of the event loop). */
  pauseMs: number;
  /** Awaited before frame `index` is written (a stream held by a fault). */
  beforeFrame?: (index: number, gone: Promise<void>) => Promise<void>;
}

/**
 * `text/event-stream`, one write per frame (chunked), a pause apart, as a model streams its
 * tokens. Each frame is a complete SSE block (`data: …\n\n` or `: comment\n\n`); the stream stops
 * when the client goes away.
 */
export async function sendEventStream(
  response: ServerResponse,
  status: number,
  frames: readonly string[],
  options: EventStreamOptions,
): Promise<void> {
  response.writeHead(status, {
    ...options.headers,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  });
  response.flushHeaders();
  const gone = new Promise<void>((resolve) => response.once('close', () => resolve()));
  for (const [index, frame] of frames.entries()) {
    await options.beforeFrame?.(index, gone);
    if (response.destroyed) return;
    if (index > 0) await sleep(options.pauseMs);
    if (response.destroyed) return;
    response.write(frame);
  }
  response.end();
}

export const sleep = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
