/**
 * Picks which of the server's requirements to pay (DESIGN section 3: `accepts` lists one entry per
 * token, each with its own amount). The client pays only on its own network, only tokens it can
 * build a transaction for, and never more than the caller's cap.
 */
import type { PaymentRequirements } from '../src/payment/protocol';
import {
  assetIdFor,
  CAIP2_NETWORK,
  parseTokenType,
  type StacksNetworkName,
  TOKEN_TYPES,
  type TokenType,
} from '../src/stacks/tokens';
import type { PaymentRefusalCode } from './errors';

export interface RequirementPreferences {
  network: StacksNetworkName;
  /** Pay with this token when the server offers it; otherwise the server's first payable entry. */
  preferredToken?: TokenType;
  /** Highest amount, in atomic units of whichever token is chosen, the caller agrees to pay. */
  maxAmount?: bigint;
  /** Highest amount per token, in its atomic units; applies with `maxAmount` (the lower wins). */
  maxAmountPerCall?: Partial<Record<TokenType, bigint>>;
}

export type RequirementSelection =
  | { type: 'selected'; requirement: PaymentRequirements; tokenType: TokenType }
  | { type: 'refused'; code: PaymentRefusalCode; message: string };

/**
 * The token a requirement asks for, read from its `asset` (what the transaction must move) and
 * cross-checked with `extra.tokenType`; undefined when this client cannot pay it.
 */
export function tokenTypeOf(
  requirement: PaymentRequirements,
  network: StacksNetworkName,
): TokenType | undefined {
  const byAsset = TOKEN_TYPES.find((token) => assetIdFor(token, network) === requirement.asset);
  if (byAsset === undefined) return undefined;
  // An entry whose label contradicts its asset is not trustworthy enough to sign for.
  const byLabel = parseTokenType(requirement.extra.tokenType);
  return byLabel === undefined || byLabel === byAsset ? byAsset : undefined;
}

export function selectRequirement(
  accepts: readonly PaymentRequirements[],
  preferences: RequirementPreferences,
): RequirementSelection {
  const network = CAIP2_NETWORK[preferences.network];
  const onNetwork = accepts.filter((requirement) => requirement.network === network);
  if (onNetwork.length === 0) {
    const offered = [...new Set(accepts.map((requirement) => requirement.network))].join(', ');
    return {
      type: 'refused',
      code: 'network_mismatch',
      message: `the server asks for payment on ${offered}, but this client pays on ${preferences.network} (${network})`,
    };
  }
  const payable = onNetwork.flatMap((requirement) => {
    const tokenType = tokenTypeOf(requirement, preferences.network);
    return tokenType === undefined ? [] : [{ requirement, tokenType }];
  });
  if (payable.length === 0) {
    const assets = onNetwork.map((requirement) => requirement.asset).join(', ');
    return {
      type: 'refused',
      code: 'unsupported_asset',
      message: `the server asks for ${assets}; this client pays only STX, sBTC or USDCx on ${preferences.network}`,
    };
  }
  const chosen =
    payable.find((entry) => entry.tokenType === preferences.preferredToken) ?? payable[0];
  const amount = BigInt(chosen.requirement.amount);
  const cap = lowest(preferences.maxAmount, preferences.maxAmountPerCall?.[chosen.tokenType]);
  if (cap !== undefined && amount > cap) {
    return {
      type: 'refused',
      code: 'amount_above_cap',
      message: `the price is ${amount} (atomic ${chosen.tokenType}), above the cap of ${cap}`,
    };
  }
  return { type: 'selected', ...chosen };
}

function lowest(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
