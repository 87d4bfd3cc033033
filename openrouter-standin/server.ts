/**
 * `startOpenRouterStandin()`: a local stand-in for OpenRouter's HTTP API (node:http), for
 * development and tests without the internet. Used by `npm run openrouter-standin` (main.ts),
 * `npm run dev` and tests. See README.md for what it answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultPlan } from './faults.ts';
import { GenerationLog } from './generations.ts';
import { HeldStreams } from './held-streams.ts';
import { errorReply, type Reply } from './http.ts';
import { createRoutes } from './routes.ts';

export interface OpenRouterStandinOptions {
  /** 0 picks a free port. Default 4020. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Pause between the frames of a streamed answer; default 5 ms. */
  chunkDelayMs?: number;
  /** Receives one line per request. */
  log?: (line: string) => void;
}

export interface OpenRouterStandin {
  /** `http://host:port`, no trailing slash. The API base (OPENROUTER_API_URL) is `${url}/api/v1`. */
  url: string;
  faults: FaultPlan;
  generations: GenerationLog;
  /** Streams a `hold-stream` fault holds: `held.release()` lets them finish. */
  held: HeldStreams;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4020;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_CHUNK_DELAY_MS = 5;
/** Far above any prompt within the models' context lengths (1M tokens ≈ 4 MB of text). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startOpenRouterStandin(
  options: OpenRouterStandinOptions = {},
): Promise<OpenRouterStandin> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? (() => {});
  const chunkDelayMs = options.chunkDelayMs ?? DEFAULT_CHUNK_DELAY_MS;
  const faults = new FaultPlan();
  const generations = new GenerationLog();
  const held = new HeldStreams();
  const route = createRoutes({ faults, generations, held, chunkDelayMs });
  const pacing: Pacing = { chunkDelayMs, held };

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    handle(request, response, route, pacing, log).catch((error: unknown) => {
      log(`internal error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) send(response, errorReply(500, 'Internal Server Error'), pacing);
      else response.destroy();
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
    generations,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        held.release();
        // Keep-alive connections, streams and requests held by the hang fault would keep it open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** How a stream is paced: the pause between frames, and where held streams wait. */
interface Pacing {
  chunkDelayMs: number;
  held: HeldStreams;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  route: ReturnType<typeof createRoutes>,
  pacing: Pacing,
  log: (line: string) => void,
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    await send(response, errorReply(413, 'Request body too large'), pacing);
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const { reply, delayMs } = route({
    method: request.method ?? 'GET',
    url: new URL(request.url ?? '/', 'http://openrouter-standin'),
    headers,
    body,
  });
  if ('hang' in reply) {
    log(`${request.method} ${request.url} -> (hanging)`);
    return;
  }
  if (delayMs) await sleep(delayMs);
  log(`${request.method} ${request.url} -> ${reply.status}`);
  await send(response, reply, pacing);
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
  { chunkDelayMs, held }: Pacing,
): Promise<void> {
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    response.writeHead(reply.status, {
      ...reply.headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  // Server-sent events, one write per frame (chunked), a pause apart, as a model streams tokens.
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  });
  response.flushHeaders();
  const gone = new Promise<void>((resolve) => response.once('close', () => resolve()));
  for (const [index, frame] of reply.frames.entries()) {
    if (index === reply.holdAfterFrames) {
      const id = reply.headers?.['x-generation-id'] ?? '';
      await held.hold({ id, sent: index, total: reply.frames.length }, gone);
    }
    if (response.destroyed) return;
    if (index > 0) await sleep(chunkDelayMs);
    response.write(frame);
  }
  response.end();
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
