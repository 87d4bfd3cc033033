/**
 * Post-condition checking as stacks-core does it (`check_transaction_postconditions`): the
 * transaction's conditions are compared with the assets the call actually moved (its asset map,
 * rebuilt here from the VM's events), then, in deny mode, every asset a principal sent must be
 * covered by a condition on that principal and asset. The check runs on every contract call that
 * executed, including one that returned `(err ...)`: its movements were rolled back, so a condition
 * such as "sender sends exactly 100" fails, and the node reports `abort_by_post_condition`.
 */
import type { ClarityEvent } from '@stacks/clarinet-sdk';
import { Cl, type FungibleComparator, type PostCondition } from '@stacks/transactions';
import type { PostConditionModeName } from './decoded-tx.ts';

/** What each principal sent during a call. Receipts play no part in post-conditions. */
export interface AssetMap {
  /** µSTX transferred plus burned, per sender (one STX condition covers both). */
  stx: Map<string, bigint>;
  /** Per sender, per asset identifier (`<contract id>::<name>`): amount transferred or burned. */
  fungible: Map<string, Map<string, bigint>>;
  /** Per sender, per asset identifier: the serialized values of the NFTs sent or burned. */
  nonFungible: Map<string, Map<string, string[]>>;
}

export function assetMapFromEvents(events: readonly ClarityEvent[]): AssetMap {
  const map: AssetMap = { stx: new Map(), fungible: new Map(), nonFungible: new Map() };
  for (const { event, data } of events) {
    switch (event) {
      case 'stx_transfer_event':
      case 'stx_burn_event':
        map.stx.set(data.sender, (map.stx.get(data.sender) ?? 0n) + BigInt(data.amount));
        break;
      case 'ft_transfer_event':
      case 'ft_burn_event': {
        const sent = nested(map.fungible, data.sender);
        sent.set(
          data.asset_identifier,
          (sent.get(data.asset_identifier) ?? 0n) + BigInt(data.amount),
        );
        break;
      }
      case 'nft_transfer_event':
      case 'nft_burn_event': {
        const sent = nested(map.nonFungible, data.sender);
        sent.set(data.asset_identifier, [
          ...(sent.get(data.asset_identifier) ?? []),
          data.raw_value ?? '',
        ]);
        break;
      }
    }
  }
  return map;
}

/** Returns why the post-conditions fail (a stacks-core style reason), or undefined if they hold. */
export function postConditionFailure(
  conditions: readonly PostCondition[],
  mode: PostConditionModeName,
  origin: string,
  moved: AssetMap,
): string | undefined {
  const checkedStx = new Set<string>();
  const checkedFungible = new Set<string>();
  const checkedNonFungible = new Set<string>();
  const principalOf = (address: string) => (address === 'origin' ? origin : address);

  for (const condition of conditions) {
    switch (condition.type) {
      case 'stx-postcondition': {
        const principal = principalOf(condition.address);
        const sent = moved.stx.get(principal) ?? 0n;
        if (!compare(condition.condition, BigInt(condition.amount), sent)) {
          return `Post-condition check failure on STX owned by ${principal}: ${condition.amount} ${condition.condition} ${sent}`;
        }
        checkedStx.add(principal);
        break;
      }
      case 'ft-postcondition': {
        const principal = principalOf(condition.address);
        const sent = moved.fungible.get(principal)?.get(condition.asset) ?? 0n;
        if (!compare(condition.condition, BigInt(condition.amount), sent)) {
          return `Post-condition check failure on fungible asset ${condition.asset} owned by ${principal}: ${condition.amount} ${condition.condition} ${sent}`;
        }
        checkedFungible.add(`${principal}|${condition.asset}`);
        break;
      }
      case 'nft-postcondition': {
        const principal = principalOf(condition.address);
        const value = `0x${Cl.serialize(condition.assetId)}`;
        const sent = moved.nonFungible.get(principal)?.get(condition.asset) ?? [];
        const wasSent = sent.includes(value);
        const holds =
          condition.condition === 'maybe-sent' || wasSent === (condition.condition === 'sent');
        if (!holds) {
          return `Post-condition check failure on non-fungible asset ${condition.asset} owned by ${principal}: ${value} ${condition.condition}`;
        }
        checkedNonFungible.add(`${principal}|${condition.asset}|${value}`);
        break;
      }
      case 'staking-postcondition':
        // Nothing stakes on the devnet: every principal staked 0.
        if (!compare(condition.condition, BigInt(condition.amount), 0n)) {
          return `Post-condition check failure on STX staked by ${principalOf(condition.address)}`;
        }
        break;
      case 'pox-postcondition':
        if (condition.condition === 'will-perform') {
          return `Post-condition check failure on PoX action by ${principalOf(condition.address)}`;
        }
        break;
    }
  }

  // Deny mode (and originator mode, for the origin): nothing may move without a condition on it.
  const enforced = (principal: string) =>
    mode === 'deny' || (mode === 'originator' && principal === origin);
  for (const [principal, amount] of moved.stx) {
    if (amount > 0n && enforced(principal) && !checkedStx.has(principal)) {
      return `Post-condition check failure: Fungible asset STX was moved by ${principal} but not checked`;
    }
  }
  for (const [principal, assets] of moved.fungible) {
    for (const asset of assets.keys()) {
      if (enforced(principal) && !checkedFungible.has(`${principal}|${asset}`)) {
        return `Post-condition check failure: Fungible asset ${asset} was moved by ${principal} but not checked`;
      }
    }
  }
  for (const [principal, assets] of moved.nonFungible) {
    for (const [asset, values] of assets) {
      const unchecked = values.find((v) => !checkedNonFungible.has(`${principal}|${asset}|${v}`));
      if (enforced(principal) && unchecked) {
        return `Post-condition check failure: Non-fungible asset ${asset} value ${unchecked} was moved by ${principal} but not checked`;
      }
    }
  }
  return undefined;
}

function compare(comparator: FungibleComparator, expected: bigint, actual: bigint): boolean {
  switch (comparator) {
    case 'eq':
      return actual === expected;
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
  }
}

function nested<T>(map: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}
