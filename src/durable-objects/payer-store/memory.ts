/**
 * `/storage/memory`: texts with their embeddings (bge-base-en-v1.5, 768 numbers), in the payer's
 * Durable Object, searched by brute-force cosine similarity.
 *
 * A vector is stored as a BLOB of 768 float32 (3072 bytes, the platform's byte order: little-endian
 * on every Workers host), never as JSON text: a third of the size, and read back into a
 * `Float32Array` without parsing. An item is upserted by its id (the caller's); `created_at` is
 * its first store, `updated_at` its last. A search reads every vector of the payer once (at most
 * `maxItemsPerPayer`), keeps the best `limit` and only then reads their texts.
 */
import { EMBEDDING_DIMENSIONS } from '../../ai/models';
import { STORAGE_LIMITS } from '../../storage/limits';

const { maxItemsPerPayer } = STORAGE_LIMITS.memory;

/** Bytes of a stored vector: 768 float32. */
export const VECTOR_BYTES = EMBEDDING_DIMENSIONS * Float32Array.BYTES_PER_ELEMENT;

export function createMemoryTables(sql: SqlStorage): void {
  // Rows hold a 3 KiB BLOB: a rowid table (WITHOUT ROWID suits small rows only).
  sql.exec(`CREATE TABLE IF NOT EXISTS _x402_memory (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    metadata TEXT,
    vector BLOB NOT NULL CHECK (length(vector) = ${VECTOR_BYTES}),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`);
}

/** An embedding as the BLOB stored for it (and the form a search query takes over RPC). */
export function vectorBlob(embedding: readonly number[]): ArrayBuffer {
  if (embedding.length !== EMBEDDING_DIMENSIONS) {
    throw new Error(`an embedding has ${EMBEDDING_DIMENSIONS} numbers, not ${embedding.length}`);
  }
  return Float32Array.from(embedding).buffer;
}

export interface MemoryWrite {
  id: string;
  text: string;
  /** The caller's metadata as JSON text, or null. */
  metadata: string | null;
  /** `vectorBlob` of the text's embedding. */
  vector: ArrayBuffer;
}

export interface MemoryItem {
  id: string;
  text: string;
  metadata: string | null;
  /** Unix milliseconds of the first store of this id. */
  createdAt: number;
}

export interface MemoryMatch {
  id: string;
  text: string;
  metadata: string | null;
  /** Cosine similarity, rounded to 6 decimals. */
  score: number;
}

export interface MemoryRefusal {
  type: 'refused';
  code: 'quota_exceeded';
  /** Items the payer keeps now. */
  used: number;
  /** New ids this store would add (ids already stored are replaced, not added). */
  adding: number;
  limit: number;
}

export type MemoryStoreOutcome = { type: 'stored'; ids: string[] } | MemoryRefusal;

const count = (sql: SqlStorage, query: string, ...bindings: unknown[]): number =>
  sql.exec<{ n: number }>(query, ...bindings).one().n;

/** Ids are passed as one JSON array parameter: Durable Object SQLite binds at most 100 values. */
const IN_IDS = 'IN (SELECT value FROM json_each(?))';

/** How many of `ids` (distinct) the payer has stored. */
export function countStoredIds(sql: SqlStorage, ids: readonly string[]): number {
  return count(
    sql,
    `SELECT COUNT(*) AS n FROM _x402_memory WHERE id ${IN_IDS}`,
    JSON.stringify(ids),
  );
}

/** Refuses a store of these (distinct) ids that would take the payer past its item quota. */
export function checkMemoryStore(sql: SqlStorage, ids: readonly string[]): MemoryRefusal | null {
  const used = count(sql, 'SELECT COUNT(*) AS n FROM _x402_memory');
  const adding = ids.length - countStoredIds(sql, ids);
  if (used + adding <= maxItemsPerPayer) return null;
  return { type: 'refused', code: 'quota_exceeded', used, adding, limit: maxItemsPerPayer };
}

/** Upserts the items (distinct ids) unless the quota refuses them; run inside a transaction. */
export function storeMemory(
  sql: SqlStorage,
  items: readonly MemoryWrite[],
  now: number,
): MemoryStoreOutcome {
  const refusal = checkMemoryStore(
    sql,
    items.map((item) => item.id),
  );
  if (refusal) return refusal;
  for (const { id, text, metadata, vector } of items) {
    sql.exec(
      `INSERT INTO _x402_memory (id, text, metadata, vector, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET text = ?2, metadata = ?3, vector = ?4, updated_at = ?5`,
      id,
      text,
      metadata,
      vector,
      now,
    );
  }
  return { type: 'stored', ids: items.map((item) => item.id) };
}

export const roundScore = (score: number): number => Math.round(score * 1e6) / 1e6;

/** Best first: the higher (rounded) score, then the smaller id. */
const better = (a: { id: string; score: number }, b: { id: string; score: number }): boolean =>
  a.score > b.score || (a.score === b.score && a.id < b.id);

/**
 * The `limit` items most similar to `query` (a `vectorBlob`), best first, leaving out those whose
 * rounded score is below `threshold`. Scores are the cosine similarity of the stored float32
 * vectors, computed in double precision.
 */
export function searchMemory(
  sql: SqlStorage,
  query: ArrayBuffer,
  limit: number,
  threshold: number | null,
): MemoryMatch[] {
  const q = new Float32Array(query);
  let queryNorm = 0;
  for (let i = 0; i < q.length; i++) queryNorm += q[i] * q[i];
  // Kept sorted, best first, at most `limit` long.
  const best: { id: string; score: number }[] = [];
  for (const row of sql.exec<{ id: string; vector: ArrayBuffer }>(
    'SELECT id, vector FROM _x402_memory',
  )) {
    const v = new Float32Array(row.vector);
    if (v.length !== q.length) continue;
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < v.length; i++) {
      dot += q[i] * v[i];
      norm += v[i] * v[i];
    }
    const score = roundScore(norm === 0 || queryNorm === 0 ? 0 : dot / Math.sqrt(norm * queryNorm));
    if (threshold !== null && score < threshold) continue;
    const candidate = { id: row.id, score };
    if (best.length === limit && !better(candidate, best[best.length - 1])) continue;
    let at = best.length;
    while (at > 0 && better(candidate, best[at - 1])) at--;
    best.splice(at, 0, candidate);
    if (best.length > limit) best.pop();
  }
  if (best.length === 0) return [];
  const rows = new Map(
    sql
      .exec<{ id: string; text: string; metadata: string | null }>(
        `SELECT id, text, metadata FROM _x402_memory WHERE id ${IN_IDS}`,
        JSON.stringify(best.map((match) => match.id)),
      )
      .toArray()
      .map((row) => [row.id, row]),
  );
  return best.flatMap(({ id, score }) => {
    const row = rows.get(id);
    return row ? [{ id, text: row.text, metadata: row.metadata, score }] : [];
  });
}

/** One page of items in id order, after the id `after` (exclusive); `next` when more remain. */
export function listMemory(
  sql: SqlStorage,
  limit: number,
  after: string | null,
): { items: MemoryItem[]; next: string | null } {
  const rows = sql
    .exec<{ id: string; text: string; metadata: string | null; created_at: number }>(
      `SELECT id, text, metadata, created_at FROM _x402_memory
       WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2`,
      after,
      limit + 1,
    )
    .toArray();
  const page = rows.slice(0, limit);
  return {
    items: page.map(({ id, text, metadata, created_at }) => ({
      id,
      text,
      metadata,
      createdAt: created_at,
    })),
    next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/** Deletes the items with these ids; answers how many there were. */
export function deleteMemory(sql: SqlStorage, ids: readonly string[]): number {
  // Counted first: `rowsWritten` also counts the writes to the id index.
  const stored = countStoredIds(sql, ids);
  sql.exec(`DELETE FROM _x402_memory WHERE id ${IN_IDS}`, JSON.stringify(ids));
  return stored;
}

/** Deletes every item; answers how many there were. */
export function clearMemory(sql: SqlStorage): number {
  const stored = count(sql, 'SELECT COUNT(*) AS n FROM _x402_memory');
  sql.exec('DELETE FROM _x402_memory');
  return stored;
}
