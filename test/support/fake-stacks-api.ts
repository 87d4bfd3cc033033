/**
 * A stand-in for the two Stacks API reads the paying client makes (nonce, fee rate), for client
 * unit tests that must not need the devnet. Records every request so tests can assert on them.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './ports';

export interface FakeStacksApiState {
  /** `possible_next_nonce` answered for every address. */
  nextNonce: number;
  /** Body of `GET /v2/fees/transfer` (a JSON number on a real node). */
  feeRate: unknown;
  /** `detected_missing_nonces` (a gap below `nextNonce`); none when absent. */
  missingNonces?: number[];
}

export interface FakeStacksApi {
  url: string;
  /** Mutable in place (the server keeps this object): tests change answers between calls. */
  readonly state: FakeStacksApiState;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeStacksApi(initial: FakeStacksApiState): Promise<FakeStacksApi> {
  const state = { ...initial };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(`${req.method} ${path}`);
    const nonces = /^\/extended\/v1\/address\/([A-Z0-9]+)\/nonces$/.exec(path);
    let body: unknown;
    if (req.method === 'GET' && nonces) {
      body = {
        possible_next_nonce: state.nextNonce,
        last_executed_tx_nonce: state.nextNonce > 0 ? state.nextNonce - 1 : null,
        last_mempool_tx_nonce: null,
        detected_missing_nonces: state.missingNonces ?? [],
        detected_mempool_nonces: [],
      };
    } else if (req.method === 'GET' && path === '/v2/fees/transfer') {
      body = state.feeRate;
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no route ${req.method} ${path}` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, state, requests, close };
}
