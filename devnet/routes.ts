/**
 * The HTTP API of the devnet: the parts of the Stacks node RPC (`/v2/...`, node-api.ts), of the
 * Hiro Stacks API (`/extended/v1/...` and BNS `/v1/...`, hiro-api.ts) and of an x402 facilitator
 * (facilitator-api.ts) that the Worker and its clients use, with their response shapes, plus a
 * small control surface under `/devnet/` (fault injection, mining on demand).
 */
import type { DevnetChain } from './chain.ts';
import { settle, supported, verify } from './facilitator-api.ts';
import { normalizeTxid, parseFault } from './faults.ts';
import { balances, bnsName, bnsNamesOwned, nonces, stxBalance, transaction } from './hiro-api.ts';
import { mapEntry, MIN_FEE_RATE, transactionFee } from './fee-api.ts';
import { type DevnetRequest, type Handler, jsonBody, type Reply } from './http.ts';
import { account, broadcast, callRead, contractInterface, nodeInfo } from './node-api.ts';

export type { DevnetRequest, Reply } from './http.ts';

/** stacks-core's MAX_PAYLOAD_LEN is about 2 MiB; nothing legitimate comes close. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** A path segment: anything but `/` (decoded before the handler sees it). */
const SEGMENT = '([^/]+)';

const ROUTES: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['POST', /^\/v2\/transactions$/, broadcast],
  ['GET', /^\/v2\/info$/, nodeInfo],
  ['GET', /^\/v2\/fees\/transfer$/, () => ({ status: 200, json: MIN_FEE_RATE })],
  ['POST', /^\/v2\/fees\/transaction$/, transactionFee],
  ['POST', route('/v2/map_entry/*/*/*'), mapEntry],
  ['GET', route('/v2/accounts/*'), account],
  ['POST', route('/v2/contracts/call-read/*/*/*'), callRead],
  ['GET', route('/v2/contracts/interface/*/*'), contractInterface],
  ['GET', route('/extended/v1/tx/*'), transaction],
  ['GET', route('/extended/v1/address/*/nonces'), nonces],
  ['GET', route('/extended/v1/address/*/balances'), balances],
  ['GET', route('/extended/v1/address/*/stx'), stxBalance],
  ['GET', route('/v1/names/*'), bnsName],
  ['GET', route('/v1/addresses/*/*'), bnsNamesOwned],
  ['GET', /^\/supported$/, supported],
  ['POST', /^\/verify$/, verify],
  ['POST', /^\/settle$/, settle],
  ['GET', /^\/devnet\/faults$/, (chain) => ({ status: 200, json: chain.faults.describe() })],
  ['POST', /^\/devnet\/faults$/, armFault],
  ['DELETE', /^\/devnet\/faults$/, clearFaults],
  ['POST', /^\/devnet\/mine$/, mine],
];

export function createRoutes(chain: DevnetChain): (request: DevnetRequest) => Promise<Reply> {
  return async (request) => {
    for (const [method, path, handler] of ROUTES) {
      const match = path.exec(request.url.pathname);
      if (match && method === request.method) {
        let params: string[];
        try {
          params = match.slice(1).map((param) => decodeURIComponent(param));
        } catch {
          return { status: 400, json: { error: `malformed path ${request.url.pathname}` } };
        }
        return handler(chain, request, params);
      }
    }
    return {
      status: 404,
      json: { error: `no route for ${request.method} ${request.url.pathname}` },
    };
  };
}

/** A path pattern as a regular expression: each `*` captures one path segment. */
function route(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', SEGMENT);
  return new RegExp(`^${escaped}$`);
}

function armFault(chain: DevnetChain, request: DevnetRequest): Reply {
  const body = jsonBody(request);
  if (body === undefined) return { status: 400, json: { error: 'expected a JSON body' } };
  const fault = parseFault(body);
  if (typeof fault === 'string') return { status: 400, json: { error: fault } };
  if (fault.kind === 'replace-transaction') {
    const id = normalizeTxid(fault.txid);
    return chain.drop(id, 'dropped_replace_by_fee')
      ? { status: 200, json: { dropped: `0x${id}` } }
      : { status: 404, json: { error: `no pending transaction 0x${id}` } };
  }
  chain.faults.arm(fault);
  return { status: 200, json: chain.faults.describe() };
}

function clearFaults(chain: DevnetChain): Reply {
  chain.faults.clear();
  return { status: 200, json: chain.faults.describe() };
}

async function mine(chain: DevnetChain): Promise<Reply> {
  const block = await chain.mineBlock();
  const txids = block.txids.map((txid) => `0x${txid}`);
  return { status: 200, json: { height: block.height, hash: `0x${block.hash}`, txids } };
}
