/** Helpers for tests that drive the Workers AI stand-in over real HTTP. */
import { standinForTests as kitStandinForTests } from '../standin-kit/test-support.ts';
import type { Fault } from './faults.ts';
import { type AiStandin, startAiStandin } from './server.ts';

/**
 * The stand-in of a test file: started on a free port before its tests, closed after them, faults
 * cleared after each test. The object answers for the running stand-in from `beforeAll` on.
 */
export function standinForTests(): AiStandin {
  return kitStandinForTests(() => startAiStandin({ port: 0 }));
}

export interface Answer {
  status: number;
  contentType: string | null;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

export async function request(
  standin: AiStandin,
  method: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<Answer> {
  const response = await fetch(`${standin.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...init,
  });
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  return {
    status: response.status,
    contentType,
    body: contentType === 'application/json' ? JSON.parse(text) : text,
  };
}

/** `POST /client/v4/accounts/local/ai/run/{model}` with `inputs` as JSON. */
export function runModel(standin: AiStandin, model: string, inputs: unknown): Promise<Answer> {
  return request(standin, 'POST', `/client/v4/accounts/local/ai/run/${model}`, inputs);
}

export function armFault(standin: AiStandin, fault: Fault): Promise<Answer> {
  return request(standin, 'POST', '/ai-standin/faults', fault);
}

export function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}
