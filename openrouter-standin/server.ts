/**
 * `startOpenRouterStandin()`: a local stand-in for OpenRouter's HTTP API (node:http,
 * standin-kit/server.ts), for development and tests without the internet. Used by
 * `npm run openrouter-standin` (main.ts), `npm run dev` and tests. See README.md for what it
 * answers.
 */
import type { ServerResponse } from 'node:http';
import { sendEventStream, sendJson, startStandinServer } from '../standin-kit/server.ts';
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
  const chunkDelayMs = options.chunkDelayMs ?? DEFAULT_CHUNK_DELAY_MS;
  const faults = new FaultPlan();
  const generations = new GenerationLog();
  const held = new HeldStreams();

  const send = async (response: ServerResponse, reply: Exclude<Reply, { hang: true }>) => {
    if ('json' in reply) return sendJson(response, reply);
    // Server-sent events, one write per frame, a pause apart, as a model streams tokens; a
    // `hold-stream` fault stops after some frames until the stream is released.
    await sendEventStream(response, reply.status, reply.frames, {
      headers: reply.headers,
      pauseMs: chunkDelayMs,
      beforeFrame: (index, gone) =>
        index === reply.holdAfterFrames
          ? held.hold(
              {
                id: reply.headers?.['x-generation-id'] ?? '',
                sent: index,
                total: reply.frames.length,
              },
              gone,
            )
          : Promise.resolve(),
    });
  };

  const server = await startStandinServer({
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    log: options.log ?? (() => {}),
    maxBodyBytes: MAX_BODY_BYTES,
    route: createRoutes({ faults, generations, held, chunkDelayMs }),
    send,
    tooLarge: errorReply(413, 'Request body too large'),
    internalError: errorReply(500, 'Internal Server Error'),
    onClose: () => held.release(),
  });
  return { url: server.url, faults, generations, held, close: server.close };
}
