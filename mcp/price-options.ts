/**
 * A 402's `accepts`, decoded for a reader: each token's price in atomic units and in whole tokens,
 * and whether this server would pay it within its caps right now.
 */

import { tokenTypeOf } from '../client';
import type { PaymentRequired } from '../src/payment/protocol';
import { type StacksNetworkName, TOKENS, type TokenType } from '../src/stacks/tokens';

export interface PriceOption {
  /** Undefined when this server cannot pay the entry (another network or asset). */
  token?: TokenType;
  /** Atomic units, a decimal string. */
  amount: string;
  /** The amount in whole tokens, e.g. `0.001 STX`. */
  display?: string;
  asset: string;
  network: string;
  payTo: string;
  pricingTier: string;
  maxTimeoutSeconds: number;
  /** Whether `execute_x402_endpoint` with `autoApprove` would pay this entry now. */
  withinCaps: boolean;
  /** Why not, when it would not. */
  refusal?: string;
}

export interface SpendingCaps {
  network: StacksNetworkName;
  maxPerCall: Record<TokenType, bigint>;
  maxPerSession: Record<TokenType, bigint>;
  spent: Record<TokenType, bigint>;
}

/** `amount` atomic units as whole tokens: 1000 µSTX is `0.001 STX`. */
export function formatTokenAmount(amount: bigint, token: TokenType): string {
  const { decimals } = TOKENS[token];
  const digits = amount.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, '');
  return `${whole}${fraction === '' ? '' : `.${fraction}`} ${token}`;
}

/** Why `amount` of `token` is over a cap, or undefined when it fits. */
export function capRefusal(
  token: TokenType,
  amount: bigint,
  caps: SpendingCaps,
): string | undefined {
  const perCall = caps.maxPerCall[token];
  if (amount > perCall) {
    return `the price ${formatTokenAmount(amount, token)} is above the per-call cap of ${formatTokenAmount(perCall, token)} (X402_MAX_PER_CALL)`;
  }
  const left = caps.maxPerSession[token] - caps.spent[token];
  if (amount > left) {
    return `the price ${formatTokenAmount(amount, token)} is above what is left of the session cap: ${formatTokenAmount(left < 0n ? 0n : left, token)} (X402_MAX_PER_SESSION)`;
  }
  return undefined;
}

export function describePrices(
  paymentRequired: PaymentRequired,
  caps: SpendingCaps,
): PriceOption[] {
  return paymentRequired.accepts.map((requirement) => {
    const token = tokenTypeOf(requirement, caps.network);
    const amount = BigInt(requirement.amount);
    const refusal =
      token === undefined
        ? `this server pays only STX, sBTC and USDCx on ${caps.network}`
        : capRefusal(token, amount, caps);
    return {
      token,
      amount: requirement.amount,
      display: token === undefined ? undefined : formatTokenAmount(amount, token),
      asset: requirement.asset,
      network: requirement.network,
      payTo: requirement.payTo,
      pricingTier: requirement.extra.pricingTier,
      maxTimeoutSeconds: requirement.maxTimeoutSeconds,
      withinCaps: refusal === undefined,
      ...(refusal === undefined ? {} : { refusal }),
    };
  });
}
