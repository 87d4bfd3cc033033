/**
 * Exact non-negative decimals for prices: OpenRouter lists USD per token as decimal strings
 * ("0.00000015"), and rates and margins are configured the same way. A `Decimal` is an integer
 * count of 10^-scale units, so sums and products are exact BigInt arithmetic and the one rounding
 * (to a token's atomic unit) is an explicit ceiling. No floating point touches a price.
 */

export interface Decimal {
  /** The value is `units / 10^scale`. */
  readonly units: bigint;
  readonly scale: number;
}

/** Digits after the point we accept in a configured or listed decimal (far beyond any price). */
const MAX_SCALE = 36;
const PLAIN_DECIMAL = /^(\d{1,30})(?:\.(\d{1,36}))?$/;
/** What `String(number)` gives for a finite non-negative number: plain or exponent notation. */
const NUMBER_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

export const ZERO: Decimal = { units: 0n, scale: 0 };
export const ONE: Decimal = { units: 1n, scale: 0 };

/** "0.00000015" → 15 units at scale 8; null for anything but a plain non-negative decimal. */
export function parseDecimal(text: string): Decimal | null {
  const match = PLAIN_DECIMAL.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  return normalise({ units: BigInt(`${match[1]}${fraction}`), scale: fraction.length });
}

/**
 * A JSON number as the decimal it was written as (`String(n)` is the shortest text that reads
 * back as `n`, so 0.000015 is 15 units at scale 6, and 1.5e-7 is 15 at scale 8); null when
 * negative or not finite.
 */
export function decimalFromNumber(value: number): Decimal | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const match = NUMBER_TEXT.exec(String(value));
  if (!match) return null;
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  let units = BigInt(`${match[1]}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return scale > MAX_SCALE * 2 ? null : normalise({ units, scale });
}

export function fromInteger(value: number | bigint): Decimal {
  return { units: BigInt(value), scale: 0 };
}

/** Drops trailing zero digits, so equal values have equal representations. */
function normalise(value: Decimal): Decimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return units === 0n ? ZERO : { units, scale };
}

function atScale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return normalise({ units: atScale(a, scale) + atScale(b, scale), scale });
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return normalise({ units: a.units * b.units, scale: a.scale + b.scale });
}

/** a − b, never below zero (a `Decimal` is non-negative): 0 when b ≥ a. */
export function subtractOrZero(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  const units = atScale(a, scale) - atScale(b, scale);
  return units <= 0n ? ZERO : normalise({ units, scale });
}

/** ⌊a ÷ b⌋ as a whole number (how many b fit in a); b must not be zero. */
export function floorDivide(a: Decimal, b: Decimal): bigint {
  if (b.units === 0n) throw new Error('division by zero');
  return (a.units * 10n ** BigInt(b.scale)) / (b.units * 10n ** BigInt(a.scale));
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = atScale(a, scale);
  const y = atScale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) >= 0 ? a : b;
}

export function isZero(value: Decimal): boolean {
  return value.units === 0n;
}

/** The exact decimal text: "0.0000618", "12", "0". */
export function formatDecimal(value: Decimal): string {
  const { units, scale } = normalise(value);
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * `usd` in a token's atomic units (10^-decimals of a token), at `usdPerToken` dollars for one
 * whole token, rounded up: the payer never pays less than the USD amount.
 * usd / usdPerToken × 10^decimals = (u₁ / 10^s₁) / (u₂ / 10^s₂) × 10^d = u₁ × 10^(s₂+d) / (u₂ × 10^s₁).
 */
export function toAtomicUnits(usd: Decimal, usdPerToken: Decimal, decimals: number): bigint {
  if (usdPerToken.units === 0n) throw new Error('a token price of zero converts nothing');
  return ceilDiv(
    usd.units * 10n ** BigInt(usdPerToken.scale + decimals),
    usdPerToken.units * 10n ** BigInt(usd.scale),
  );
}

/**
 * `usd` in whole tokens, rounded up at `places` decimal places (for showing rates such as a price
 * per 1,000 tokens, which may be a fraction of an atomic unit).
 */
export function toTokens(usd: Decimal, usdPerToken: Decimal, places: number): Decimal {
  return normalise({ units: toAtomicUnits(usd, usdPerToken, places), scale: places });
}
