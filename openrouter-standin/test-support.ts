/** Helpers for tests that drive the OpenRouter stand-in over real HTTP. */
import { standinForTests as kitStandinForTests } from '../standin-kit/test-support.ts';
import type { Fault } from './faults.ts';
import {
  type OpenRouterStandin,
  type OpenRouterStandinOptions,
  startOpenRouterStandin,
} from './server.ts';

/** The key tests send unless they say otherwise: any non-empty key is accepted. */
export const TEST_KEY = 'sk-or-test';

/**
 * The stand-in of a test file: started on a free port before its tests, closed after them, faults
 * cleared after each test. The object answers for the running stand-in from `beforeAll` on.
 */
export function standinForTests(
  options: Omit<OpenRouterStandinOptions, 'port'> = {},
): OpenRouterStandin {
  return kitStandinForTests(() => startOpenRouterStandin({ ...options, port: 0 }));
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

export async function request(
  standin: OpenRouterStandin,
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; signal?: AbortSignal } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? TEST_KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${standin.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type') === 'application/json';
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(text) : text,
  };
}

/** `POST /api/v1/chat/completions` with `body` as JSON. */
export function chat(
  standin: OpenRouterStandin,
  body: unknown,
  options: { key?: string | null; signal?: AbortSignal } = {},
): Promise<Answer> {
  return request(standin, 'POST', '/api/v1/chat/completions', { ...options, body });
}

export function armFault(standin: OpenRouterStandin, fault: Fault): Promise<Answer> {
  return request(standin, 'POST', '/openrouter-standin/faults', { body: fault });
}

/**
 * A `text/event-stream` body cut into its frames (`: comment` or `data: …` blocks), each data
 * frame parsed as JSON unless it is `[DONE]`.
 */
export function sseFrames(text: string): (string | Record<string, unknown>)[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      if (!frame.startsWith('data: ')) return frame;
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : (JSON.parse(data) as Record<string, unknown>);
    });
}
