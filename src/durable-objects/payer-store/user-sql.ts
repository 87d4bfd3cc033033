/**
 * `/storage/db` inside the payer's Durable Object: the payer's own SQL tables, beside the
 * object's system tables (`_x402_*`), which sql-guard.ts keeps out of reach.
 *
 * Every statement is guarded again here (the route guarded it before the 402), bound with its
 * parameters, and run inside `transactionSync`: a query is always rolled back (it can change
 * nothing, whatever it is), a batch of writes commits all or nothing, and the quota is checked
 * after the writes, inside the transaction, so a write that would leave the payer over quota is
 * rolled back. SQLite errors never leave as exceptions (they would cross RPC as a 500): they come
 * back as `{ok: false, code, message}` for the route to answer 400.
 */
import { guardSql, type SqlGuardCode, type SqlValue, type SqlVerdict } from './sql-guard';

export type UserSqlErrorCode =
  | SqlGuardCode
  | 'sql_row_too_large'
  | 'sql_too_long'
  | 'sql_too_many_parameters'
  | 'sql_wrong_parameter_count'
  | 'sql_constraint_failed'
  | 'sql_error';

export type UserSqlFailure = {
  ok: false;
  code: UserSqlErrorCode | 'quota_exceeded';
  message: string;
  /** In a batch, the index of the statement that failed. */
  statement?: number;
};

export interface UserSqlStatement {
  sql: string;
  params?: SqlValue[];
}

export interface UserQueryRequest extends UserSqlStatement {
  maxRows: number;
  /** Rows stop being added (truncated) once the answer holds about this many bytes. */
  maxResultBytes: number;
}

/** A value as answered: SQLite's, with a BLOB as 0x + hex. */
export type UserSqlCell = string | number | null;

export interface UserQueryRows {
  columns: string[];
  rows: UserSqlCell[][];
  rowCount: number;
  truncated: boolean;
}

export interface UserSqlQuota {
  /** The whole SQLite database of the object (`ctx.storage.sql.databaseSize`). */
  maxDatabaseBytes: number;
  /** The payer's own tables. */
  maxTables: number;
}

export interface UserExecuteRequest {
  statements: UserSqlStatement[];
  quota: UserSqlQuota;
  /** Run, check and always roll back: the verdict a real run would have, changing nothing. */
  dryRun?: boolean;
}

export interface StatementOutcome {
  rowsAffected: number;
  lastRowId?: number;
}

export interface UserExecuteOutcome extends StatementOutcome {
  results: StatementOutcome[];
}

export interface UserTable {
  name: string;
  sql: string;
  columns: { name: string; type: string; notnull: boolean; pk: number }[];
}

export type UserSqlResult<T> = ({ ok: true } & T) | UserSqlFailure;

/** Thrown inside a transaction to roll it back on purpose. */
class Rollback extends Error {}

/** SQLite could not compile the statement: its error, thrown out of the transaction. */
class CompileError extends Error {
  constructor(override readonly cause: unknown) {
    super('compile error');
  }
}

/** SQL that selects the payer's own objects from sqlite_master (never _x402_*, sqlite_*, _cf_*). */
const USER_OBJECTS = `lower(substr(name, 1, 6)) <> '_x402_' AND lower(substr(name, 1, 7)) <> 'sqlite_'
  AND lower(substr(name, 1, 4)) <> '_cf_'`;

/**
 * A cursor left with rows unread keeps its statement open until it is garbage-collected, and an
 * open statement makes SQLite refuse DROP TABLE (SQLITE_LOCKED) on the object. So the query is
 * run as `SELECT * FROM (statement) LIMIT maxRows + 1` and always read to its end; it is first
 * compiled alone with EXPLAIN, so a SQLite error names the payer's own text and offsets.
 */
export function queryUserSql(
  storage: DurableObjectStorage,
  request: UserQueryRequest,
): UserSqlResult<UserQueryRows> {
  const verdict = guardSql(request.sql, 'query', request.params);
  if (!verdict.ok) return verdict;
  const { sql } = storage;
  const params = bindings(request.params);
  const limit = Math.max(1, Math.trunc(request.maxRows)) + 1;
  let answer: UserQueryRows | undefined;
  try {
    storage.transactionSync(() => {
      try {
        sql.exec(`EXPLAIN ${request.sql}`, ...params).toArray();
      } catch (error) {
        throw new CompileError(error);
      }
      const cursor = sql.exec(`SELECT * FROM (\n${verdict.text}\n) LIMIT ${limit}`, ...params);
      const rows: UserSqlCell[][] = [];
      let bytes = 0;
      let truncated = false;
      for (const raw of cursor.raw()) {
        if (truncated) continue;
        const row = raw.map(toJsonValue);
        bytes += row.reduce<number>((sum, value) => sum + approximateBytes(value), 0);
        if (rows.length === limit - 1 || (rows.length > 0 && bytes > request.maxResultBytes)) {
          truncated = true;
          continue;
        }
        rows.push(row);
      }
      answer = { columns: cursor.columnNames, rows, rowCount: rows.length, truncated };
      // Whatever the statement did, nothing of it stays.
      throw new Rollback();
    });
  } catch (error) {
    if (error instanceof CompileError) return sqliteFailure(error.cause, -'EXPLAIN '.length);
    if (!(error instanceof Rollback)) return sqliteFailure(error);
  }
  if (!answer) throw new Error('the query ended without an answer');
  return { ok: true, ...answer };
}

export function executeUserSql(
  storage: DurableObjectStorage,
  request: UserExecuteRequest,
): UserSqlResult<UserExecuteOutcome> {
  const verdicts: Extract<SqlVerdict, { ok: true }>[] = [];
  for (const [index, statement] of request.statements.entries()) {
    const verdict = guardSql(statement.sql, 'execute', statement.params);
    if (!verdict.ok) return inBatch(verdict, index, request.statements.length);
    verdicts.push(verdict);
  }
  const { sql } = storage;
  let outcome: UserSqlResult<UserExecuteOutcome> | undefined;
  let index = 0;
  try {
    storage.transactionSync(() => {
      const before = { bytes: sql.databaseSize, tables: countTables(storage) };
      const results: StatementOutcome[] = [];
      for (; index < request.statements.length; index += 1) {
        const statement = request.statements[index] as UserSqlStatement;
        const cursor = sql.exec(statement.sql, ...bindings(statement.params));
        // Run to the end (a RETURNING clause yields rows; they are not answered).
        while (!cursor.next().done) {}
        results.push(statementOutcome(storage, verdicts[index] as (typeof verdicts)[number]));
      }
      const over = overQuota(
        before,
        { bytes: sql.databaseSize, tables: countTables(storage) },
        request.quota,
      );
      if (over) {
        outcome = { ok: false, code: 'quota_exceeded', message: over };
        throw new Rollback();
      }
      const lastRowId = results.findLast((r) => r.lastRowId !== undefined)?.lastRowId;
      outcome = {
        ok: true,
        rowsAffected: results.reduce((sum, r) => sum + r.rowsAffected, 0),
        ...(lastRowId === undefined ? {} : { lastRowId }),
        results,
      };
      if (request.dryRun) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      return inBatch(sqliteFailure(error), index, request.statements.length);
    }
  }
  if (!outcome) throw new Error('the statements ended without an outcome');
  return outcome;
}

/** The payer's tables (not views, not system tables) with their columns, by name. */
export function describeUserTables(storage: DurableObjectStorage): UserTable[] {
  const tables = storage.sql
    .exec<{ name: string; sql: string }>(
      `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND ${USER_OBJECTS} ORDER BY name`,
    )
    .toArray();
  return tables.map(({ name, sql }) => ({
    name,
    sql,
    columns: storage.sql
      .exec<{ name: string; type: string; notnull: number; pk: number }>(
        `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`,
        name,
      )
      .toArray()
      .map((column) => ({ ...column, notnull: column.notnull === 1 })),
  }));
}

function countTables(storage: DurableObjectStorage): number {
  return storage.sql
    .exec<{ n: number }>(
      `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND ${USER_OBJECTS}`,
    )
    .one().n;
}

/**
 * Over quota: the statements grew the database past its size limit, or added tables past the
 * table limit. A statement that shrinks an over-quota database (DELETE, DROP) always passes.
 */
function overQuota(
  before: { bytes: number; tables: number },
  after: { bytes: number; tables: number },
  quota: UserSqlQuota,
): string | undefined {
  if (after.bytes > quota.maxDatabaseBytes && after.bytes > before.bytes) {
    return `The statements would grow your storage database to ${after.bytes} bytes, over its quota of ${quota.maxDatabaseBytes}; nothing was changed. Delete rows or drop tables first.`;
  }
  if (after.tables > quota.maxTables && after.tables > before.tables) {
    return `The statements would leave ${after.tables} tables, over the quota of ${quota.maxTables}; nothing was changed. Drop a table first.`;
  }
  return undefined;
}

/**
 * Rows changed by an INSERT, UPDATE or DELETE: SQLite's changes() (the cursor's rowsWritten
 * also counts index entries, and changes() keeps the last DML's count across DDL, hence the kind).
 * `lastRowId` only for an INSERT into a rowid table: after one into a WITHOUT ROWID table or a
 * view, last_insert_rowid() still holds whatever earlier insert (perhaps a system table's) set it.
 */
function statementOutcome(
  storage: DurableObjectStorage,
  { kind, into }: Extract<SqlVerdict, { ok: true }>,
): StatementOutcome {
  if (kind !== 'insert' && kind !== 'update' && kind !== 'delete') return { rowsAffected: 0 };
  const { sql } = storage;
  const { changes, rowid } = sql
    .exec<{ changes: number; rowid: number }>(
      'SELECT changes() AS changes, last_insert_rowid() AS rowid',
    )
    .one();
  if (kind !== 'insert' || changes === 0 || into === undefined) return { rowsAffected: changes };
  const rowidTable = sql
    .exec<{ n: number }>(
      `SELECT count(*) AS n FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
         AND wr = 0 AND name = ? COLLATE NOCASE`,
      into,
    )
    .one().n;
  return rowidTable > 0 ? { rowsAffected: changes, lastRowId: rowid } : { rowsAffected: changes };
}

/** JSON has no blobs and SQLite no booleans: true and false are bound as 1 and 0. */
function bindings(params: readonly SqlValue[] = []): (string | number | null)[] {
  return params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
}

/** A BLOB is answered as 0x + hex; everything else as SQLite gave it. */
function toJsonValue(value: SqlStorageValue): UserSqlCell {
  if (!(value instanceof ArrayBuffer)) return value;
  return `0x${Array.from(new Uint8Array(value), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function approximateBytes(value: UserSqlCell): number {
  return typeof value === 'string' ? value.length + 2 : 8;
}

function inBatch(failure: UserSqlFailure, index: number, size: number): UserSqlFailure {
  if (size === 1) return failure;
  return { ...failure, message: `statements[${index}]: ${failure.message}`, statement: index };
}

/**
 * SQLite's own message, with the code that names its cause; `shift` moves the offset it names
 * back onto the payer's text when SQLite compiled something longer.
 */
export function sqliteFailure(error: unknown, shift = 0): UserSqlFailure {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(
    / at offset (\d+)/,
    (_, offset) => ` at offset ${Number(offset) + shift}`,
  );
  return { ok: false, code: sqliteErrorCode(message), message };
}

const SQLITE_ERRORS: [RegExp, UserSqlErrorCode][] = [
  [/LIKE or GLOB pattern too complex/, 'sql_like_pattern_too_long'],
  [/string or blob too big/, 'sql_row_too_large'],
  [/statement too long/, 'sql_too_long'],
  [/too many SQL variables/, 'sql_too_many_parameters'],
  [/Wrong number of parameter bindings/, 'sql_wrong_parameter_count'],
  [/syntax error|unrecognized token|incomplete input/, 'sql_syntax_error'],
  [/SQLITE_CONSTRAINT/, 'sql_constraint_failed'],
  [/not authorized/, 'sql_forbidden_statement'],
];

function sqliteErrorCode(message: string): UserSqlErrorCode {
  return SQLITE_ERRORS.find(([pattern]) => pattern.test(message))?.[1] ?? 'sql_error';
}
