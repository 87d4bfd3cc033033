/**
 * The devnet's HTTP vocabulary, shared by the route modules: a request, a reply, a route handler,
 * and the input checks several APIs make the same way.
 */
import { validateStacksAddress } from '@stacks/transactions';
import type { DevnetChain } from './chain.ts';

export interface DevnetRequest {
  method: string;
  url: URL;
  contentType: string;
  body: Uint8Array;
}

export type Reply =
  | { status: number; json: unknown; delayMs?: number }
  | { status: number; text: string }
  /** Leave the request unanswered (fault injection). */
  | { hang: true };

/** A route handler gets the chain, the request and the path's captured parameters, decoded. */
export type Handler = (
  chain: DevnetChain,
  request: DevnetRequest,
  params: string[],
) => Reply | Promise<Reply>;

/** The body parsed as JSON, or undefined when it is not JSON. */
export function jsonBody(request: DevnetRequest): unknown {
  try {
    return JSON.parse(Buffer.from(request.body).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A standard principal (`ST…`) or a contract principal (`ST….name`) with a valid checksum. */
export function isPrincipal(principal: string): boolean {
  const [address, contractName, ...rest] = principal.split('.');
  if (rest.length > 0 || !validateStacksAddress(address)) return false;
  return contractName === undefined || /^[a-zA-Z]([a-zA-Z0-9]|[-_]){0,127}$/.test(contractName);
}

/** The Hiro API's answer to a malformed principal in a path. */
export function invalidAddress(principal: string): Reply {
  return { status: 400, json: { error: `invalid STX address "${principal}"` } };
}
