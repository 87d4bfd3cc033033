/**
 * Every storage limit and per-payer quota, in one place (listed in the README's storage section).
 * Sizes are bytes of UTF-8 unless said otherwise. Changing a value here changes what the routes
 * validate before the 402 and what the payer's Durable Object enforces.
 */
export const STORAGE_LIMITS = {
  // --- Workers KV: /storage/kv (KV's own limits: key 512 bytes, metadata 1024 bytes, TTL >= 60 s)
  // (filled in with the KV routes)
  // --- /storage/paste
  // --- /storage/db (Durable Object SQLite: 100 bound parameters, 50-byte LIKE patterns, 2 MB rows)
  // --- /storage/sync
  // --- /storage/queue
  // --- /storage/memory
} as const;
