/**
 * The stand-in's HTTP API: the Workers AI REST endpoint for the models of models.ts, `GET /health`,
 * and fault injection under `/ai-standin/`.
 */
import { controlFaults } from '../standin-kit/faults.ts';
import type { RoutedReply as KitRoutedReply } from '../standin-kit/http.ts';
import { defaultFaultError, type FaultPlan, parseFault } from './faults.ts';
import { failure, jsonBody, type Reply, type StandinRequest } from './http.ts';
import { MODELS, runModel } from './models.ts';

/** Workers AI REST: the account id is any path segment, the model id the rest of the path. */
const MODEL_RUN = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(.+)$/;

export type RoutedReply = KitRoutedReply<Exclude<Reply, { hang: true }>>;

export function createRoutes(faults: FaultPlan): (request: StandinRequest) => RoutedReply {
  return (request) => {
    const { pathname } = request.url;
    const run = MODEL_RUN.exec(pathname);
    if (run && request.method === 'POST') return runWithFaults(faults, run[2], request);
    if (pathname === '/health' && request.method === 'GET') {
      return { reply: { status: 200, json: { status: 'ok', models: [...MODELS.keys()] } } };
    }
    if (pathname === '/ai-standin/faults') {
      const reply = controlFaults(faults, request, parseFault);
      if (reply) return { reply };
    }
    // The Cloudflare API's answer to a path (or method) it does not serve.
    return { reply: failure(404, { code: 7000, message: 'No route for that URI' }) };
  };
}

function runWithFaults(faults: FaultPlan, model: string, request: StandinRequest): RoutedReply {
  const fault = faults.take();
  if (fault?.kind === 'hang') return { reply: { hang: true } };
  if (fault?.kind === 'http-error') {
    const error = defaultFaultError(fault.status);
    return {
      reply: failure(fault.status, {
        code: fault.code ?? error.code,
        message: fault.message ?? error.message,
      }),
    };
  }
  let modelId: string;
  try {
    modelId = decodeURIComponent(model);
  } catch {
    modelId = model;
  }
  return { reply: runModel(modelId, jsonBody(request)), delayMs: fault?.ms };
}
