/**
 * How much a client may spend, per token, over its life (`budget`), and how much it has spent.
 * A payment reserves its amount before anything is signed, so concurrent calls cannot overspend
 * together; the amount is committed once the transaction is sent (it may be charged from then on,
 * whatever happens to the request) and released when the client decides not to send it.
 */
import { TOKEN_TYPES, type TokenType } from '../src/stacks/tokens';
import { X402ClientError } from './errors';

/** Atomic units per token; a token left out has no limit. */
export type TokenAmounts = Partial<Record<TokenType, bigint>>;

export type BudgetReservation =
  | { type: 'reserved'; commit(): void; release(): void }
  | { type: 'refused'; message: string };

export interface SpendLedger {
  /** Holds `amount` of `token` against the budget, or says why it does not fit. */
  reserve(token: TokenType, amount: bigint): BudgetReservation;
  /** Atomic units sent so far, per token. */
  spent(): Record<TokenType, bigint>;
}

function zeroes(): Record<TokenType, bigint> {
  return { STX: 0n, sBTC: 0n, USDCx: 0n };
}

/** Validates a per-token amount option: known token names, non-negative bigints. */
export function validateTokenAmounts(
  name: string,
  value: TokenAmounts | undefined,
): TokenAmounts | undefined {
  if (value === undefined) return undefined;
  for (const [token, amount] of Object.entries(value)) {
    if (!(TOKEN_TYPES as readonly string[]).includes(token)) {
      throw new X402ClientError('invalid_options', `${name} has unknown token ${token}`);
    }
    if (typeof amount !== 'bigint' || amount < 0n) {
      throw new X402ClientError(
        'invalid_options',
        `${name}.${token} must be a non-negative bigint`,
      );
    }
  }
  return { ...value };
}

export function createSpendLedger(budget: TokenAmounts | undefined): SpendLedger {
  const spent = zeroes();
  const reserved = zeroes();

  function reserve(token: TokenType, amount: bigint): BudgetReservation {
    const limit = budget?.[token];
    if (limit !== undefined) {
      const remaining = limit - spent[token] - reserved[token];
      if (amount > remaining) {
        const inFlight = reserved[token] > 0n ? `, ${reserved[token]} in payments in progress` : '';
        return {
          type: 'refused',
          message: `the price is ${amount} (atomic ${token}), above the remaining budget of ${remaining} (budget ${limit}, spent ${spent[token]}${inFlight})`,
        };
      }
    }
    reserved[token] += amount;
    let open = true;
    const close = (commit: boolean) => {
      if (!open) return;
      open = false;
      reserved[token] -= amount;
      if (commit) spent[token] += amount;
    };
    return { type: 'reserved', commit: () => close(true), release: () => close(false) };
  }

  return { reserve, spent: () => ({ ...spent }) };
}
