/**
 * The endpoint a tool calls, as the aibtc MCP server's `execute_x402_endpoint` names it: `method`,
 * `url` or `path` + `apiUrl`, `params` (query) and `data` (JSON body). Validation beyond the
 * schema (one of url/path, http(s) only, no body on GET) lives here, with sentences an agent can
 * act on.
 */
import { z } from 'zod';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The input shape shared by `execute_x402_endpoint` and `probe_x402_endpoint`. */
export const endpointInputShape = {
  method: z.enum(HTTP_METHODS).default('GET').describe('HTTP method (default GET)'),
  url: z
    .string()
    .optional()
    .describe(
      'Full endpoint URL, e.g. http://127.0.0.1:8787/hashing/sha256. Give either url, or path (with an optional apiUrl).',
    ),
  path: z
    .string()
    .optional()
    .describe('Endpoint path on apiUrl, e.g. /hashing/sha256 (see list_x402_endpoints)'),
  apiUrl: z
    .string()
    .optional()
    .describe('API base URL for path; defaults to the configured X402_API_URL'),
  params: z
    .record(z.string(), z.string())
    .optional()
    .describe('Query parameters, added to the URL'),
  data: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('JSON request body (for POST, PUT, PATCH and DELETE)'),
};

export interface EndpointInput {
  method: HttpMethod;
  url?: string;
  path?: string;
  apiUrl?: string;
  params?: Record<string, string>;
  data?: Record<string, unknown>;
}

export interface EndpointRequest {
  method: HttpMethod;
  /** Absolute URL, query included. */
  url: string;
  init: RequestInit;
}

export class EndpointInputError extends Error {
  override readonly name = 'EndpointInputError';
  readonly code = 'invalid_input';
}

function parseHttpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointInputError(
      `${name} must be an absolute http(s) URL, not ${JSON.stringify(raw)}`,
    );
  }
  // http is allowed on purpose: the local API (`npm run dev`) serves plain http.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointInputError(`${name} must use http or https, not ${url.protocol}`);
  }
  return url;
}

/** The absolute URL the input names, before `params`. */
function targetUrl(input: EndpointInput, defaultApiUrl: string): URL {
  if (input.url !== undefined) {
    if (input.path !== undefined || input.apiUrl !== undefined) {
      throw new EndpointInputError('give either url, or path (with an optional apiUrl), not both');
    }
    return parseHttpUrl('url', input.url);
  }
  if (input.path === undefined) {
    throw new EndpointInputError('give url, or path (with an optional apiUrl)');
  }
  if (!input.path.startsWith('/')) {
    throw new EndpointInputError(
      `path must start with /, e.g. /hashing/sha256 (got ${input.path})`,
    );
  }
  const base = parseHttpUrl('apiUrl', input.apiUrl ?? defaultApiUrl);
  return new URL(base.href.replace(/\/+$/, '') + input.path);
}

/** Turns a tool's endpoint input into the request to send. Throws `EndpointInputError`. */
export function buildEndpointRequest(input: EndpointInput, defaultApiUrl: string): EndpointRequest {
  const url = targetUrl(input, defaultApiUrl);
  for (const [key, value] of Object.entries(input.params ?? {})) url.searchParams.set(key, value);
  if (input.data !== undefined && input.method === 'GET') {
    throw new EndpointInputError('a GET request takes params (query), not data (body)');
  }
  const init: RequestInit = { method: input.method };
  if (input.data !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(input.data);
  }
  return { method: input.method, url: url.href, init };
}
