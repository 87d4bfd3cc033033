/**
 * The Hiro Stacks API (`/extended/v1/...` and the BNS `/v1/...` endpoints) as it answers: the
 * transaction, nonce, balance and name lookups clients make.
 */
import { nameInfo, namesOwnedBy } from './bns-names.ts';
import type { DevnetChain } from './chain.ts';
import { normalizeTxid } from './faults.ts';
import { txJson } from './hiro-json.ts';
import { type Handler, invalidAddress, isPrincipal } from './http.ts';

export const transaction: Handler = (chain, _request, [txid]) => {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(txid)) {
    return { status: 400, json: { error: `\`${txid}\` is not a valid transaction ID` } };
  }
  const id = normalizeTxid(txid);
  const record = chain.transaction(id);
  if (!record) {
    return { status: 404, json: { error: 'could not find transaction by ID', tx_id: `0x${id}` } };
  }
  return { status: 200, json: txJson(record, chain) };
};

export const nonces: Handler = (chain, _request, [principal]) => {
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
};

/** `GET /extended/v1/address/{principal}/stx`. */
export const stxBalance: Handler = (chain, _request, [principal]) => {
  if (!isPrincipal(principal)) return invalidAddress(principal);
  return { status: 200, json: stxJson(chain, principal) };
};

/** `GET /extended/v1/address/{principal}/balances`: STX, fungible tokens and NFT counts. */
export const balances: Handler = (chain, _request, [principal]) => {
  if (!isPrincipal(principal)) return invalidAddress(principal);
  const fungibleTokens: Record<string, unknown> = {};
  for (const [assetId, totals] of chain.book.get(principal).fungible) {
    fungibleTokens[assetId] = {
      balance: totals.balance.toString(),
      total_sent: totals.totalSent.toString(),
      total_received: totals.totalReceived.toString(),
    };
  }
  return {
    status: 200,
    json: {
      stx: stxJson(chain, principal),
      fungible_tokens: fungibleTokens,
      // The devnet's contracts define no NFTs, so no address ever holds one.
      non_fungible_tokens: {},
    },
  };
};

/** The STX part of both balance endpoints; the pending fields count the mempool, as Hiro's do. */
function stxJson(chain: DevnetChain, principal: string): Record<string, unknown> {
  const { stx } = chain.book.get(principal);
  const inbound = chain.mempool.incoming(principal);
  const outbound = chain.mempool.spending(principal);
  return {
    balance: stx.balance.toString(),
    estimated_balance: (stx.balance + inbound - outbound).toString(),
    pending_balance_inbound: inbound.toString(),
    pending_balance_outbound: outbound.toString(),
    total_sent: stx.totalSent.toString(),
    total_received: stx.totalReceived.toString(),
    total_fees_sent: stx.totalFeesSent.toString(),
    total_miner_rewards_received: stx.totalMinerRewardsReceived.toString(),
    lock_tx_id: '',
    locked: '0',
    lock_height: 0,
    burnchain_lock_height: 0,
    burnchain_unlock_height: 0,
  };
}

/** `GET /v1/names/{name}`: 404 with the Hiro API's own wording for a name it does not know. */
export const bnsName: Handler = (_chain, _request, [name]) => {
  const info = nameInfo(name);
  if (info) return { status: 200, json: info };
  const error =
    name.split('.').length === 3 ? `cannot find subdomain ${name}` : `cannot find name ${name}`;
  return { status: 404, json: { error } };
};

/** `GET /v1/addresses/{blockchain}/{address}`: an unknown address owns no names (still 200). */
export const bnsNamesOwned: Handler = (_chain, _request, [blockchain, address]) => {
  if (blockchain !== 'stacks') return { status: 400, json: { error: 'Unsupported blockchain' } };
  return { status: 200, json: { names: namesOwnedBy(address) } };
};
