/**
 * The Stacks node RPC (`/v2/...`) as stacks-core answers it: broadcast, node info, accounts,
 * read-only calls and contract interfaces.
 */
import { CHAIN_ID } from '../src/stacks/tokens.ts';
import { type DevnetRequest, type Handler, invalidAddress, isPrincipal } from './http.ts';
import { callReadOnly } from './read-only.ts';
import { submitPosted } from './submission.ts';

/** Bitcoin regtest's network id, which a Clarinet devnet node reports as its parent. */
const REGTEST_NETWORK_ID = 3669344250;
/** The peer version testnet nodes announce (0xfacade01). */
const TESTNET_PEER_VERSION = 0xfacade01;

export const broadcast: Handler = (chain, request) => {
  const submission = submitPosted(chain, transactionBytes(request), request.body);
  switch (submission.type) {
    case 'hang':
      return { hang: true };
    case 'http-error':
      // What a proxy in front of a node sends: a status and a body that is not the node's JSON.
      return {
        status: submission.status,
        text: `devnet fault injection: HTTP ${submission.status}`,
      };
    case 'rejected': {
      const { txid, reason, reasonData } = submission;
      const json = {
        error: 'transaction rejected',
        reason,
        ...(reasonData ? { reason_data: reasonData } : {}),
        txid,
      };
      return { status: 400, json };
    }
    case 'accepted':
      // stacks-core answers with the txid as a JSON string, without `0x`.
      return { status: 200, json: submission.txid, delayMs: submission.delayMs };
  }
};

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

export const nodeInfo: Handler = (chain) => {
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
};

export const account: Handler = (chain, request, [principal]) => {
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
};

/** `POST /v2/contracts/call-read/{address}/{contract}/{function}`. */
export const callRead: Handler = (chain, request, [address, contractName, functionName]) =>
  callReadOnly(chain, request, `${address}.${contractName}`, functionName);

/** `GET /v2/contracts/interface/{address}/{contract}`: the ABI the VM derived when deploying. */
export const contractInterface: Handler = (chain, _request, [address, contractName]) => {
  const abi = chain.contractInterface(`${address}.${contractName}`);
  // stacks-core's HttpNotFound: a plain-text body.
  return abi
    ? { status: 200, json: abi }
    : { status: 404, text: 'No contract interface data found' };
};

/** The node prints account amounts as `0x` + a u128 in 32 big-endian hex digits. */
function u128Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(32, '0')}`;
}
