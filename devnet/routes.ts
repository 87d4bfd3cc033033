/**
 * The HTTP API of the devnet: the parts of the Stacks node RPC (`/v2/...`) and of the Hiro Stacks
 * API (`/extended/v1/...`) that the Worker and its clients use, with their response shapes, plus a
 * small control surface under `/devnet/` (fault injection, mining on demand).
 */
import { txidFromData, validateStacksAddress } from '@stacks/transactions';
import { CHAIN_ID } from '../src/stacks/tokens.ts';
import type { DevnetChain } from './chain.ts';
import { decodeTransaction } from './decoded-tx.ts';
import { normalizeTxid, parseFault } from './faults.ts';
import { txJson } from './hiro-json.ts';

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

/** stacks-core's MAX_PAYLOAD_LEN is about 2 MiB; nothing legitimate comes close. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Bitcoin regtest's network id, which a Clarinet devnet node reports as its parent. */
const REGTEST_NETWORK_ID = 3669344250;
/** The peer version testnet nodes announce (0xfacade01). */
const TESTNET_PEER_VERSION = 0xfacade01;

/** A route handler gets the chain, the request and the path parameter (if the route has one). */
type Handler = (
  chain: DevnetChain,
  request: DevnetRequest,
  param: string,
) => Reply | Promise<Reply>;

const ROUTES: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['POST', /^\/v2\/transactions$/, broadcast],
  ['GET', /^\/v2\/info$/, nodeInfo],
  ['GET', /^\/v2\/fees\/transfer$/, () => ({ status: 200, json: 1 })],
  ['GET', /^\/v2\/accounts\/([^/]+)$/, account],
  ['GET', /^\/extended\/v1\/tx\/([^/]+)$/, transaction],
  ['GET', /^\/extended\/v1\/address\/([^/]+)\/nonces$/, nonces],
  ['GET', /^\/extended\/v1\/address\/([^/]+)\/balances$/, balances],
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
        let param: string;
        try {
          param = decodeURIComponent(match[1] ?? '');
        } catch {
          return { status: 400, json: { error: `malformed path ${request.url.pathname}` } };
        }
        return handler(chain, request, param);
      }
    }
    return {
      status: 404,
      json: { error: `no route for ${request.method} ${request.url.pathname}` },
    };
  };
}

function broadcast(chain: DevnetChain, request: DevnetRequest): Reply {
  const fault = chain.faults.takeBroadcastFault();
  if (fault?.kind === 'hang-broadcast') return { hang: true };
  if (fault?.kind === 'broadcast-http-error') {
    // What a proxy in front of a node sends: a status and a body that is not the node's JSON.
    return { status: fault.status, text: `devnet fault injection: HTTP ${fault.status}` };
  }
  const raw = transactionBytes(request);
  if (typeof raw === 'string') {
    return rejected(txidFromData(request.body), 'Deserialization', { message: raw });
  }
  if (fault?.kind === 'reject-broadcast') {
    return rejected(txidOf(raw), fault.reason, fault.reasonData);
  }
  const outcome = chain.submit(raw);
  if (outcome.type === 'rejected') {
    return rejected(outcome.txid, outcome.rejection.reason, outcome.rejection.reasonData);
  }
  // stacks-core answers with the txid as a JSON string, without `0x`.
  const delayMs = fault?.kind === 'delay-broadcast' ? fault.ms : undefined;
  return { status: 200, json: outcome.txid, delayMs };
}

/** The body as transaction bytes: raw (`application/octet-stream`) or the node's `{"tx": hex}`. */
function transactionBytes(request: DevnetRequest): Uint8Array | string {
  if (request.body.length === 0) return 'Invalid Http request: expected non-zero-length body';
  if (!request.contentType.includes('json')) return request.body;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(request.body).toString('utf8'));
    const hex = (parsed as { tx?: unknown }).tx;
    if (typeof hex !== 'string') return 'Failed to parse body';
    const digits = hex.replace(/^0x/, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return 'Failed to parse tx';
    return Uint8Array.from(Buffer.from(digits, 'hex'));
  } catch {
    return 'Failed to parse body';
  }
}

/** The txid a node would report for these bytes (of the raw bytes if they do not decode). */
function txidOf(raw: Uint8Array): string {
  try {
    return decodeTransaction(raw).txid;
  } catch {
    return txidFromData(raw);
  }
}

function rejected(txid: string, reason: string, reasonData?: Record<string, unknown>): Reply {
  return {
    status: 400,
    json: {
      error: 'transaction rejected',
      reason,
      ...(reasonData ? { reason_data: reasonData } : {}),
      txid,
    },
  };
}

function nodeInfo(chain: DevnetChain): Reply {
  const tip = chain.tip;
  const consensus = tip.hash.slice(0, 40);
  const info = {
    peer_version: TESTNET_PEER_VERSION,
    pox_consensus: consensus,
    burn_block_height: tip.height,
    stable_pox_consensus: consensus,
    stable_burn_block_height: tip.height,
    server_version: 'stacks-node x402-stacks-devnet (Clarinet simnet)',
    network_id: CHAIN_ID.testnet,
    parent_network_id: REGTEST_NETWORK_ID,
    stacks_tip_height: tip.height,
    stacks_tip: tip.hash,
    stacks_tip_consensus_hash: consensus,
    genesis_chainstate_hash: chain.blockAt(0)?.hash,
    unanchored_tip: null,
    unanchored_seq: null,
    tenure_height: tip.height,
    exit_at_block_height: null,
    is_fully_synced: true,
    stackerdbs: [],
  };
  return { status: 200, json: info };
}

function account(chain: DevnetChain, request: DevnetRequest, principal: string): Reply {
  if (!isPrincipal(principal)) return invalidAddress(principal);
  const state = chain.book.get(principal);
  const withProofs = request.url.searchParams.get('proof') !== '0';
  return {
    status: 200,
    json: {
      balance: u128Hex(state.stx.balance),
      locked: u128Hex(0n),
      unlock_height: 0,
      nonce: state.nonce,
      ...(withProofs ? { balance_proof: '', nonce_proof: '' } : {}),
    },
  };
}

function transaction(chain: DevnetChain, _request: DevnetRequest, txid: string): Reply {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(txid)) {
    return { status: 400, json: { error: `\`${txid}\` is not a valid transaction ID` } };
  }
  const id = normalizeTxid(txid);
  const record = chain.transaction(id);
  if (!record) {
    return { status: 404, json: { error: 'could not find transaction by ID', tx_id: `0x${id}` } };
  }
  return { status: 200, json: txJson(record, chain) };
}

function nonces(chain: DevnetChain, _request: DevnetRequest, principal: string): Reply {
  if (!isPrincipal(principal)) return invalidAddress(principal);
  const accountNonce = chain.book.get(principal).nonce;
  const pending = chain.mempool.noncesOf(principal).filter((nonce) => nonce >= accountNonce);
  const lastExecuted = accountNonce > 0 ? accountNonce - 1 : null;
  const lastMempool = pending.length > 0 ? pending[pending.length - 1] : null;
  const missing: number[] = [];
  if (lastMempool !== null) {
    // Highest first, as the Hiro API lists them.
    for (let nonce = lastMempool - 1; nonce >= accountNonce; nonce -= 1) {
      if (!pending.includes(nonce)) missing.push(nonce);
    }
  }
  return {
    status: 200,
    json: {
      last_mempool_tx_nonce: lastMempool,
      last_executed_tx_nonce: lastExecuted,
      possible_next_nonce: lastMempool !== null ? lastMempool + 1 : accountNonce,
      detected_missing_nonces: missing,
      detected_mempool_nonces: pending,
    },
  };
}

function balances(chain: DevnetChain, _request: DevnetRequest, principal: string): Reply {
  if (!isPrincipal(principal)) return invalidAddress(principal);
  const { stx, fungible } = chain.book.get(principal);
  const fungibleTokens: Record<string, unknown> = {};
  for (const [assetId, totals] of fungible) {
    fungibleTokens[assetId] = {
      balance: totals.balance.toString(),
      total_sent: totals.totalSent.toString(),
      total_received: totals.totalReceived.toString(),
    };
  }
  return {
    status: 200,
    json: {
      stx: {
        balance: stx.balance.toString(),
        // The Hiro API's estimate: the balance after the pending transactions.
        estimated_balance: (
          chain.spendableStx(principal) + chain.mempool.incoming(principal)
        ).toString(),
        total_sent: stx.totalSent.toString(),
        total_received: stx.totalReceived.toString(),
        total_fees_sent: stx.totalFeesSent.toString(),
        total_miner_rewards_received: stx.totalMinerRewardsReceived.toString(),
        lock_tx_id: '',
        locked: '0',
        lock_height: 0,
        burnchain_lock_height: 0,
        burnchain_unlock_height: 0,
      },
      fungible_tokens: fungibleTokens,
      non_fungible_tokens: {},
    },
  };
}

async function armFault(chain: DevnetChain, request: DevnetRequest): Promise<Reply> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(request.body).toString('utf8'));
  } catch {
    return { status: 400, json: { error: 'expected a JSON body' } };
  }
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

/** A standard principal (`ST…`) or a contract principal (`ST….name`) with a valid checksum. */
function isPrincipal(principal: string): boolean {
  const [address, contractName, ...rest] = principal.split('.');
  if (rest.length > 0 || !validateStacksAddress(address)) return false;
  return contractName === undefined || /^[a-zA-Z]([a-zA-Z0-9]|[-_]){0,127}$/.test(contractName);
}

function invalidAddress(principal: string): Reply {
  return { status: 400, json: { error: `invalid STX address "${principal}"` } };
}

/** The node prints account amounts as `0x` + a u128 in 32 big-endian hex digits. */
function u128Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(32, '0')}`;
}
