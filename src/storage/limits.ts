/**
 * Every storage limit and per-payer quota, in one place (listed in the README's storage section).
 * Sizes are bytes of UTF-8 unless said otherwise. Changing a value here changes what the routes
 * validate before the 402 and what the payer's Durable Object enforces.
 */
export const STORAGE_LIMITS = {
  // --- Workers KV: /storage/kv (KV's own limits: key 512 bytes, metadata 1024 bytes, TTL >= 60 s)
  kv: {
    /** KV's own key limit, counted on the stored key `kv:{network}:{payer}:{key}`. */
    storedKeyBytes: 512,
    /**
     * The longest key a caller may send: 512 less the longest prefix any payer gets,
     * `kv:stacks:2147483648:` + a 41-character address + `:` (63 bytes), so that every payer has
     * the same limit (a test recomputes it from kv-keys.ts).
     */
    keyBytes: 449,
    /** KV's own limit, on the metadata serialised as JSON. */
    metadataBytes: 1024,
    valueBytes: 65_536,
    /** KV's own minimum: an expiration less than 60 s away is refused. */
    minTtlSeconds: 60,
    maxTtlSeconds: 30 * 86_400,
    listDefault: 100,
    /** KV's own maximum page size. */
    listMax: 1000,
  },
  /**
   * What one payer may keep in KV, KV entries and pastes together, counted in the payer's Durable
   * Object (never by listing KV, which is eventually consistent). An entry counts the bytes of its
   * key, value (or paste content, title and language) and metadata JSON.
   */
  kvQuota: {
    entries: 1000,
    bytes: 10 * 1024 * 1024,
    /**
     * A write reserves its entry before it is settled; a reservation the write never confirmed
     * (the settlement was refused) stops counting after this long.
     */
    reservationLeaseMs: 5 * 60_000,
  },
  // --- /storage/paste (stored in KV, counted in the owner's kvQuota)
  paste: {
    contentBytes: 65_536,
    titleBytes: 200,
    /** A language tag such as `typescript` or `c++`: letters, digits and `+#._-`. */
    languageChars: 32,
    minTtlSeconds: 60,
    maxTtlSeconds: 30 * 86_400,
  },
  // --- /storage/db (Durable Object SQLite: 100 bound parameters, 50-byte LIKE patterns, 2 MB rows)
  db: {
    /** Durable Object SQLite's statement length limit (SQLITE_LIMIT_SQL_LENGTH). */
    sqlBytes: 100_000,
    /** Durable Object SQLite's limit on bound parameters per statement. */
    maxParameters: 100,
    /** Durable Object SQLite's limit on a LIKE or GLOB pattern. */
    likePatternBytes: 50,
    // Rows: Durable Object SQLite's own limit (documented as 2 MB; workerd's SQLITE_LIMIT_LENGTH
    // is 2,200,000 bytes), enforced by SQLite itself: a longer row is a 400 sql_row_too_large.
    /** Statements in one /storage/db/execute batch (one transaction). */
    maxBatchStatements: 25,
    /** Rows one query answers (`maxRows` may ask for fewer). */
    maxRows: 1000,
    /** A query stops adding rows (`truncated`) once its rows hold about this many bytes. */
    maxResultBytes: 4 * 1024 * 1024,
  },
  /**
   * What one payer may keep in its SQL tables, checked after each execute inside its transaction
   * (and in the precheck, before settlement). The size is the object's whole SQLite database
   * (`ctx.storage.sql.databaseSize`: the payer's tables share one file with the system tables of
   * the other stores, whose own quotas hold at most about 160 MiB, nearly all of it queue items);
   * a write is refused only when it grows the database past it.
   */
  dbQuota: {
    databaseBytes: 256 * 1024 * 1024,
    tables: 100,
  },
  // --- /storage/sync
  sync: {
    /** Lock names: a letter or digit, then letters, digits and `._:-` (they appear in paths). */
    nameChars: 128,
    minTtlSeconds: 1,
    maxTtlSeconds: 3600,
    /** Locks one payer holds at once (expired locks do not count). */
    maxLocksPerPayer: 1000,
  },
  // --- /storage/queue
  queue: {
    /** Queue names follow the lock-name rule. */
    nameChars: 128,
    maxItemsPerPush: 100,
    /** One item, serialised as JSON. */
    itemBytes: 16_384,
    minPriority: -1000,
    maxPriority: 1000,
    maxDelaySeconds: 86_400,
    maxItemsPerPop: 100,
    minVisibilityTimeoutSeconds: 1,
    maxVisibilityTimeoutSeconds: 43_200,
    /** Pops an item gets; one that times out (or is nacked) after the last goes to `dead`. */
    maxAttempts: 5,
    /** Queues one payer has at once (a queue exists from its first push until it is cleared). */
    maxQueuesPerPayer: 100,
    /** Items one payer keeps in all its queues: pending, in flight and dead (done are deleted). */
    maxItemsPerPayer: 10_000,
  },
  // --- /storage/memory (texts with bge-base-en-v1.5 embeddings in the payer's Durable Object)
  memory: {
    /**
     * Items per store call: one Workers AI embedding batch (its limit is 100 texts). The whole
     * body is also bound by the app's 192 KiB body limit (413 payload_too_large).
     */
    maxItemsPerStore: 100,
    /**
     * An item id: any text of 1 to this many bytes of UTF-8 (no control characters); it never
     * appears in a path.
     */
    idBytes: 256,
    /**
     * A text (and a search query): bge-base-en-v1.5 reads 512 tokens, about 2 KiB of English;
     * a longer text would be embedded from its start only, so it is refused instead.
     */
    textBytes: 2048,
    /** The metadata object, as JSON. */
    metadataBytes: 1024,
    /** Ids per delete call. */
    maxIdsPerDelete: 100,
    searchDefault: 10,
    searchMax: 100,
    listDefault: 50,
    listMax: 100,
    /**
     * Items one payer keeps (each about 3 KiB of vector plus its text and metadata, so at most
     * about 64 MiB): a search compares the query with every one of them.
     */
    maxItemsPerPayer: 10_000,
  },
} as const;
