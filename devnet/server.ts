/**
 * `startDevnet()`: the local Stacks devnet as an HTTP server (node:http), mining a block every
 * `blockTimeMs`. Used by `npm run devnet` (main.ts), the end-to-end tests and `npm run dev`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DevnetAccount, DevnetAccountName } from './accounts.ts';
import { type BlockRecord, DevnetChain } from './chain.ts';
import type { FaultPlan } from './faults.ts';
import { createRoutes, MAX_BODY_BYTES, type Reply } from './routes.ts';

export interface DevnetOptions {
  /** 0 picks a free port. Default 3999 (the port a Stacks API listens on in Clarinet's devnet). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Milliseconds between blocks; 0 mines only on demand (`mineBlock()`, `POST /devnet/mine`). */
  blockTimeMs?: number;
  /** Receives one line per accepted, rejected or mined transaction. */
  log?: (line: string) => void;
  /**
   * The devnet account that sponsors sponsored payments settled through the facilitator's
   * `/settle`; without one the facilitator refuses them (`invalid_payload`), as most do.
   */
  facilitatorSponsor?: DevnetAccountName;
}

export interface Devnet {
  /** `http://host:port`, no trailing slash: the Stacks node and Stacks API base URL. */
  url: string;
  port: number;
  host: string;
  /** The funded accounts, with their private keys (public test fixtures). */
  accounts: readonly DevnetAccount[];
  chain: DevnetChain;
  faults: FaultPlan;
  /** Mines a block now (in addition to the timer). */
  mineBlock(): Promise<BlockRecord>;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 3999;
export const DEFAULT_BLOCK_TIME_MS = 2000;

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const host = options.host ?? '127.0.0.1';
  const blockTimeMs = options.blockTimeMs ?? DEFAULT_BLOCK_TIME_MS;
  const log = options.log ?? (() => {});
  const chain = await DevnetChain.create(log);
  if (options.facilitatorSponsor) {
    chain.facilitatorSponsor = chain.accounts.find((a) => a.name === options.facilitatorSponsor);
    if (!chain.facilitatorSponsor)
      throw new Error(`no devnet account ${options.facilitatorSponsor}`);
  }
  const route = createRoutes(chain);

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    handle(request, response, route).catch((error: unknown) => {
      log(`internal error on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent) send(response, { status: 500, json: { error: String(error) } });
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
  const port = (server.address() as AddressInfo).port;

  let mining: Promise<unknown> | undefined;
  const timer =
    blockTimeMs > 0
      ? setInterval(() => {
          // A slow block (a post-condition replay) delays the next one rather than queueing up.
          if (mining) return;
          mining = chain
            .mineBlock()
            .catch((error: unknown) => log(`mining failed: ${String(error)}`))
            .finally(() => {
              mining = undefined;
            });
        }, blockTimeMs)
      : undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    accounts: chain.accounts,
    chain,
    faults: chain.faults,
    mineBlock: () => chain.mineBlock(),
    async close() {
      if (timer) clearInterval(timer);
      await mining;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections and requests held open by the hang fault would keep it open.
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  route: ReturnType<typeof createRoutes>,
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    send(response, { status: 413, json: { error: `body larger than ${MAX_BODY_BYTES} bytes` } });
    return;
  }
  const reply = await route({
    method: request.method ?? 'GET',
    url: new URL(request.url ?? '/', 'http://devnet'),
    contentType: request.headers['content-type'] ?? '',
    body,
  });
  if ('hang' in reply) return;
  if ('delayMs' in reply && reply.delayMs) {
    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  }
  send(response, reply);
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

function send(response: ServerResponse, reply: Exclude<Reply, { hang: true }>): void {
  const isJson = 'json' in reply;
  const body = isJson ? JSON.stringify(reply.json) : reply.text;
  response.writeHead(reply.status, {
    'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
