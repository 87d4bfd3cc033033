/**
 * The Workers AI stand-in (ai-standin/) answering inside workerd: the worker tests have no AI
 * binding and no stand-in process, and the app reaches Workers AI through `fetch` to
 * `WORKERS_AI_URL` (wrangler.toml: http://127.0.0.1:4010). This stubs the global `fetch` for that
 * URL only and answers with the stand-in's own routes, so embeddings, similarity, Llama Guard
 * verdicts and error envelopes are the stand-in's, faults included; every other URL goes to the
 * real fetch.
 */
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';
import { FaultPlan } from '../../../ai-standin/faults.ts';
import { createRoutes } from '../../../ai-standin/routes.ts';

export interface FakeWorkersAi {
  /** The stand-in's fault plan: `faults.arm({kind: 'http-error', status: 503, times: 2})`. */
  faults: FaultPlan;
  /** Each model run asked for, in order: the model id and its JSON inputs. */
  runs: { model: string; inputs: unknown }[];
  /** Puts the real `fetch` back (vi.restoreAllMocks does too). */
  restore(): void;
}

const MODEL_RUN = /\/client\/v4\/accounts\/[^/]+\/ai\/run\/(.+)$/;

export function fakeWorkersAi(baseUrl: string = env.WORKERS_AI_URL): FakeWorkersAi {
  const faults = new FaultPlan();
  const route = createRoutes(faults);
  const runs: FakeWorkersAi['runs'] = [];
  const realFetch = globalThis.fetch;
  const prefix = `${baseUrl.replace(/\/+$/, '')}/`;

  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(prefix)) return realFetch(input, init);
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    const model = MODEL_RUN.exec(url.pathname)?.[1];
    if (model && request.method === 'POST') {
      runs.push({ model, inputs: parseJson(body) });
    }
    const { reply, delayMs } = route({ method: request.method, url, body });
    if ('hang' in reply) return hangUntilAborted(request.signal);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if ('json' in reply) {
      return new Response(JSON.stringify(reply.json), {
        status: reply.status,
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response(reply.events.map((event) => `data: ${event}\n\n`).join(''), {
      status: reply.status,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    });
  });

  return { faults, runs, restore: () => spy.mockRestore() };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

/** A request the stand-in never answers: it ends only when the caller aborts it. */
function hangUntilAborted(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
