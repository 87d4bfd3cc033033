/**
 * How `/storage/kv` and `/storage/paste` lay their data out in Workers KV (docs/storage-schema.md):
 * a caller's key is stored as `kv:{network}:{payer}:{key}` (the prefix is never shown), a paste as
 * `paste:{id}`. Values are stored with their expiry, so a read can refuse an expired one itself
 * (KV's `getWithMetadata` does not say when a key expires).
 */
import { CAIP2_NETWORK } from '../../stacks/tokens';
import type { PayerIdentity } from './payer';

/** The longest c32 address of a standard (payer) principal: `S`, a version, 39 characters. */
export const LONGEST_ADDRESS_LENGTH = 41;

export function kvKeyPrefix({ network, payer }: PayerIdentity): string {
  return `kv:${network}:${payer}:`;
}

export function storedKvKey(identity: PayerIdentity, key: string): string {
  return `${kvKeyPrefix(identity)}${key}`;
}

/** The longest prefix any payer gets (mainnet or testnet, a 41-character address). */
export const LONGEST_KV_KEY_PREFIX = kvKeyPrefix({
  network: Object.values(CAIP2_NETWORK).reduce((a, b) => (b.length > a.length ? b : a)),
  payer: 'S'.repeat(LONGEST_ADDRESS_LENGTH),
});

export function pasteKey(id: string): string {
  return `paste:${id}`;
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * The absolute KV `expiration` (unix seconds) for a TTL, rounded up so that the entry lives at
 * least `ttl` seconds (KV refuses an expiration less than 60 s away).
 */
export function expirationFor(ttlSeconds: number, now = Date.now()): number {
  return Math.ceil(now / 1000) + ttlSeconds;
}

export const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();

/** What a `/storage/kv` entry's KV value holds; its KV metadata is the caller's metadata as sent. */
export interface StoredKvValue {
  value: string;
  /** Unix milliseconds, or null. */
  expiresAt: number | null;
}

/** The stored value if it is one of ours and has not expired; anything else reads as missing. */
export function readStoredKvValue(raw: string | null, now = Date.now()): StoredKvValue | null {
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { value, expiresAt } = parsed as Record<string, unknown>;
  if (typeof value !== 'string') return null;
  if (expiresAt !== null && typeof expiresAt !== 'number') return null;
  if (expiresAt !== null && expiresAt <= now) return null;
  return { value, expiresAt };
}
