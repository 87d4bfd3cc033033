/**
 * `startAiStandin()`: a local stand-in for Workers AI's REST API (node:http), for development
 * without a Cloudflare account or the internet. Used by `npm run ai-standin` (main.ts),
 * `npm run dev` and tests. See README.md for what it answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultPlan } from './faults.ts';
import { failure, type Reply } from './http.ts';
import { createRoutes } from './routes.ts';

export interface AiStandinOptions {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Receives one line per request. */
  log?: (line: string) => void;
}

export interface AiStandin {
  /** `http://host:port`, no trailing slash: the base URL for `WORKERS_AI_URL`. */
  url: string;
  faults: FaultPlan;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';
/** Far above what 100 texts to embed or a long conversation need. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startAiStandin(options: AiStandinOptions = {}): Promise<AiStandin> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? (() => {});
  const faults = new FaultPlan();
  const route = createRoutes(faults);

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    handle(request, response, route, log).catch((error: unknown) => {
      log(`internal error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) {
        send(response, failure(500, { code: 3043, message: 'Internal server error' }));
      } else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections and requests held open by the hang fault would keep it open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  route: ReturnType<typeof createRoutes>,
  log: (line: string) => void,
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    send(response, failure(413, { code: 3006, message: 'Request is too large' }));
    return;
  }
  const { reply, delayMs } = route({
    method: request.method ?? 'GET',
    url: new URL(request.url ?? '/', 'http://ai-standin'),
    body,
  });
  if ('hang' in reply) {
    log(`${request.method} ${request.url} -> (hanging)`);
    return;
  }
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  log(`${request.method} ${request.url} -> ${reply.status}`);
  await send(response, reply);
}

async function readBody(request: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Uint8Array.from(Buffer.concat(chunks));
}

async function send(
  response: ServerResponse,
  reply: Exclude<Reply, { hang: true }>,
): Promise<void> {
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    response.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  // Server-sent events, one write per event (chunked), as a model streams its tokens.
  response.writeHead(reply.status, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  });
  for (const event of reply.events) {
    if (response.destroyed) return;
    response.write(`data: ${event}\n\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
}
