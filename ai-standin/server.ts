/**
 * `startAiStandin()`: a local stand-in for Workers AI's REST API (node:http, standin-kit/server.ts),
 * for development without a Cloudflare account or the internet. Used by `npm run ai-standin`
 * (main.ts), `npm run dev` and tests. See README.md for what it answers.
 */
import type { ServerResponse } from 'node:http';
import { sendEventStream, sendJson, startStandinServer } from '../standin-kit/server.ts';
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
  const faults = new FaultPlan();
  const server = await startStandinServer({
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    log: options.log ?? (() => {}),
    maxBodyBytes: MAX_BODY_BYTES,
    route: createRoutes(faults),
    send,
    tooLarge: failure(413, { code: 3006, message: 'Request is too large' }),
    internalError: failure(500, { code: 3043, message: 'Internal server error' }),
  });
  return { url: server.url, faults, close: server.close };
}

async function send(response: ServerResponse, reply: Exclude<Reply, { hang: true }>) {
  if ('json' in reply) return sendJson(response, reply);
  // Server-sent events, one write per event, as a model streams its tokens.
  const frames = reply.events.map((event) => `data: ${event}\n\n`);
  await sendEventStream(response, reply.status, frames, { pauseMs: 0 });
}
