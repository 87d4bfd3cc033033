/**
 * The guard of user SQL (`/storage/db`): an authorizer over the token stream of sql-tokenizer.ts,
 * run before the 402 (in the request schema) and again inside the payer's Durable Object, so no
 * user statement reaches SQLite without passing it.
 *
 * The payer's own tables share one SQLite database with the object's system tables (`_x402_*`,
 * SQLite's `sqlite_*`, workerd's `_cf_*`). A statement is refused when:
 * - it names a reserved object: any identifier (bare, "quoted", `quoted` or [quoted], compared
 *   without case) starting with `_x402_`, `sqlite_` or `_cf_` (sql_system_table); or a 'string'
 *   with such a prefix where SQLite reads a string as a name (`FROM '_x402_locks'` is a table to
 *   SQLite: after FROM, JOIN, INTO, UPDATE, TABLE, ON, IN, ...; see `inNamePosition`);
 * - it calls a pragma function (`pragma_table_info(...)`, which reads any table's schema) or
 *   reads `dbstat` (every table's name and size, where SQLite is built with it), or is
 *   a statement that reaches beyond the payer's tables or the object's transactions: ATTACH,
 *   DETACH, PRAGMA, VACUUM, REINDEX, ANALYZE, EXPLAIN, BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT,
 *   RELEASE, CREATE TEMP/TEMPORARY, CREATE VIRTUAL TABLE (an fts5 `content='...'` option names
 *   its table in a string) (sql_forbidden_statement);
 * - the text holds more than one statement (a trailing `;` is fine; the `;`s inside a CREATE
 *   TRIGGER ... BEGIN ... END body belong to it) (sql_multiple_statements), or none;
 * - for `query`: the statement is not SELECT, VALUES or WITH ... SELECT (sql_not_read_only);
 * - a LIKE or GLOB pattern, written as a literal or bound to a parameter, is over 50 bytes (the
 *   Durable Object SQLite limit; SQLite would fail the query with "pattern too complex").
 * String literals and comments never trip it: `SELECT '_x402_locks'` is a value.
 */
import { STORAGE_LIMITS } from '../../storage/limits';
import { foldCase, type SqlToken, tokenizeSql } from './sql-tokenizer';

export type SqlMode = 'query' | 'execute';
export type SqlValue = string | number | boolean | null;

/** What the statement does, after any WITH clause (REPLACE is an insert, VALUES a select). */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'create' | 'drop' | 'alter';

export type SqlGuardCode =
  | 'sql_syntax_error'
  | 'sql_no_statement'
  | 'sql_multiple_statements'
  | 'sql_system_table'
  | 'sql_forbidden_statement'
  | 'sql_not_read_only'
  | 'sql_like_pattern_too_long';

export type SqlVerdict =
  /**
   * `text`: the one statement, from its first token to its last (no `;`, no comments around);
   * `into`: for an INSERT, the table it names (unquoted, without its schema).
   */
  | { ok: true; kind: StatementKind; text: string; into?: string }
  | { ok: false; code: SqlGuardCode; message: string };

export const RESERVED_PREFIXES = ['_x402_', 'sqlite_', '_cf_'] as const;
const MAX_LIKE_PATTERN_BYTES = STORAGE_LIMITS.db.likePatternBytes;

const FORBIDDEN_STATEMENTS = new Set([
  'attach',
  'detach',
  'pragma',
  'vacuum',
  'reindex',
  'analyze',
  'explain',
  'begin',
  'commit',
  'end',
  'rollback',
  'savepoint',
  'release',
]);
const STATEMENT_KINDS: Record<string, StatementKind> = {
  select: 'select',
  values: 'select',
  insert: 'insert',
  replace: 'insert',
  update: 'update',
  delete: 'delete',
  create: 'create',
  drop: 'drop',
  alter: 'alter',
};

export function guardSql(sql: string, mode: SqlMode, params: readonly SqlValue[] = []): SqlVerdict {
  const lexed = tokenizeSql(sql);
  if (!lexed.ok) {
    return refuse('sql_syntax_error', `${lexed.message} at offset ${lexed.offset}`);
  }
  const statements = splitStatements(lexed.tokens);
  const [statement, extra] = statements;
  if (!statement)
    return refuse('sql_no_statement', 'The SQL holds no statement, only whitespace or comments.');

  // Names first, in every statement sent: the most important refusal is the one reported.
  for (const tokens of statements) {
    const reserved = findReservedName(tokens);
    if (reserved) return reserved;
  }
  for (const tokens of statements) {
    const forbidden = findForbiddenStatement(tokens);
    if (forbidden) return forbidden;
  }
  if (extra) {
    return refuse(
      'sql_multiple_statements',
      `Send one statement per call: another statement starts at offset ${extra[0]?.start} (a trailing ; is fine; /storage/db/execute runs several as a statements batch, in one transaction).`,
    );
  }
  const kind = statementKind(statement);
  if (!kind && foldCase(statement[0]?.value ?? '') === 'with') {
    return refuse(
      'sql_syntax_error',
      'The WITH clause is not followed by a SELECT, INSERT, REPLACE, UPDATE or DELETE statement.',
    );
  }
  if (!kind) {
    return refuse(
      'sql_syntax_error',
      `A statement starts with SELECT, VALUES, WITH, INSERT, REPLACE, UPDATE, DELETE, CREATE, DROP or ALTER, not "${statement[0]?.value}" (offset ${statement[0]?.start}).`,
    );
  }
  if (mode === 'query' && kind !== 'select') {
    return refuse(
      'sql_not_read_only',
      `/storage/db/query runs one read-only statement (SELECT, VALUES or WITH ... SELECT); this one is ${kind.toUpperCase()}: send it to /storage/db/execute.`,
    );
  }
  const like = findLongLikePattern(statement, params);
  if (like) return like;
  const first = statement[0] as SqlToken;
  const last = statement[statement.length - 1] as SqlToken;
  const text = sql.slice(first.start, last.end);
  const into = kind === 'insert' ? insertTarget(statement) : undefined;
  return { ok: true, kind, text, ...(into === undefined ? {} : { into }) };
}

/** The table after the statement's first top-level INTO: `t`, `"t"`, `main.t`. */
function insertTarget(statement: readonly SqlToken[]): string | undefined {
  let depth = 0;
  for (let i = 0; i < statement.length; i += 1) {
    const token = statement[i] as SqlToken;
    if (token.kind === 'operator' && token.value === '(') depth += 1;
    if (token.kind === 'operator' && token.value === ')') depth -= 1;
    if (depth !== 0 || token.kind !== 'word' || foldCase(token.value) !== 'into') continue;
    const dotted = statement[i + 2]?.kind === 'operator' && statement[i + 2]?.value === '.';
    const name = statement[dotted ? i + 3 : i + 1];
    return name && name.kind !== 'operator' ? name.value : undefined;
  }
  return undefined;
}

function refuse(code: SqlGuardCode, message: string): SqlVerdict {
  return { ok: false, code, message };
}

/**
 * Splits the tokens at `;` into non-empty statements. In CREATE TRIGGER ... BEGIN ... END the
 * body's `;`s are its own: the body ends at the END that closes no CASE.
 */
export function splitStatements(tokens: readonly SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let body: 'none' | 'open' | 'closed' = 'none';
  let cases = 0;
  for (const token of tokens) {
    if (token.kind === 'semicolon' && body !== 'open') {
      if (current.length > 0) statements.push(current);
      current = [];
      body = 'none';
      continue;
    }
    current.push(token);
    if (token.kind !== 'word' || !isTrigger(current)) continue;
    const word = foldCase(token.value);
    if (body === 'none' && word === 'begin') body = 'open';
    else if (body === 'open' && word === 'case') cases += 1;
    else if (body === 'open' && word === 'end') {
      if (cases > 0) cases -= 1;
      else body = 'closed';
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

/** CREATE [TEMP | TEMPORARY] TRIGGER ... */
function isTrigger(statement: readonly SqlToken[]): boolean {
  const words = statement.slice(0, 3).map((t) => (t.kind === 'word' ? foldCase(t.value) : ''));
  return words[0] === 'create' && (words[1] === 'trigger' || words[2] === 'trigger');
}

/**
 * A forbidden statement: the statement's first keyword, or the first keyword of a statement inside
 * a trigger body (after BEGIN or a `;`), or CREATE TEMP / CREATE VIRTUAL.
 */
function findForbiddenStatement(statement: readonly SqlToken[]): SqlVerdict | undefined {
  for (let i = 0; i < statement.length; i += 1) {
    const token = statement[i] as SqlToken;
    const before = statement[i - 1];
    const startsStatement =
      i === 0 ||
      before?.kind === 'semicolon' ||
      (before?.kind === 'word' && foldCase(before.value) === 'begin');
    if (!startsStatement || token.kind !== 'word') continue;
    const word = foldCase(token.value);
    if (i > 0 && word === 'end') continue;
    if (!FORBIDDEN_STATEMENTS.has(word) && !(i === 0 && isTempOrVirtual(statement))) continue;
    const words = word === 'create' ? statement.slice(0, isVirtual(statement) ? 3 : 2) : [token];
    const what = words.map((t) => t.value.toUpperCase()).join(' ');
    return refuse(
      'sql_forbidden_statement',
      `${what} statements are not allowed on /storage/db (offset ${token.start}): send CREATE TABLE/INDEX/VIEW/TRIGGER, ALTER, DROP, INSERT, REPLACE, UPDATE or DELETE to /storage/db/execute (several in one transaction as a statements batch) and SELECT, VALUES or WITH to /storage/db/query.`,
    );
  }
  return undefined;
}

function isVirtual(statement: readonly SqlToken[]): boolean {
  return foldCase(statement[1]?.value ?? '') === 'virtual';
}

function isTempOrVirtual(statement: readonly SqlToken[]): boolean {
  const [first, second] = statement.map((t) => (t.kind === 'word' ? foldCase(t.value) : ''));
  return (
    first === 'create' && (second === 'temp' || second === 'temporary' || second === 'virtual')
  );
}

/** The statement's kind: its first keyword, or for WITH the statement after the common table expressions. */
function statementKind(statement: readonly SqlToken[]): StatementKind | undefined {
  const first = foldCase(statement[0]?.value ?? '');
  if (statement[0]?.kind !== 'word') return undefined;
  if (first !== 'with') return STATEMENT_KINDS[first];
  // WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (select) [, ...] main-statement:
  // the main statement is the first token after a top-level ")" that is neither "," nor AS.
  let depth = 0;
  for (let i = 1; i < statement.length; i += 1) {
    const token = statement[i] as SqlToken;
    if (token.kind === 'operator' && token.value === '(') depth += 1;
    else if (token.kind === 'operator' && token.value === ')') {
      depth -= 1;
      const after = statement[i + 1];
      if (depth !== 0 || !after) continue;
      if (after.kind === 'operator' && after.value === ',') continue;
      if (after.kind === 'word' && foldCase(after.value) === 'as') continue;
      return after.kind === 'word' ? STATEMENT_KINDS[foldCase(after.value)] : undefined;
    }
  }
  return undefined;
}

function reservedPrefix(name: string): string | undefined {
  const folded = foldCase(name);
  return RESERVED_PREFIXES.find((prefix) => folded.startsWith(prefix));
}

function findReservedName(statement: readonly SqlToken[]): SqlVerdict | undefined {
  const clauses = new NameContext();
  for (let i = 0; i < statement.length; i += 1) {
    const token = statement[i] as SqlToken;
    const isName =
      token.kind === 'word' ||
      token.kind === 'quoted' ||
      (token.kind === 'string' && inNamePosition(statement, i, clauses));
    clauses.advance(statement, i);
    if (!isName) continue;
    const folded = foldCase(token.value);
    if (folded.startsWith('pragma_') || folded === 'dbstat') {
      return refuse(
        'sql_forbidden_statement',
        `${token.value} is not allowed on /storage/db (offset ${token.start}): pragma functions and dbstat describe every table of the object; GET /storage/db/schema describes yours.`,
      );
    }
    const prefix = reservedPrefix(token.value);
    if (!prefix) continue;
    const hint =
      prefix === 'sqlite_'
        ? ' SQLite reserves sqlite_ names for its own tables and functions; GET /storage/db/schema lists your tables and their columns.'
        : ' GET /storage/db/schema lists your tables.';
    return refuse(
      'sql_system_table',
      `"${token.value}" (offset ${token.start}) is reserved: names starting with _x402_, sqlite_ or _cf_ belong to the system tables of your storage object, and user SQL may name only your own tables.${hint}`,
    );
  }
  return undefined;
}

/** Keywords after which a string literal is a value (an expression starts there). */
const VALUE_KEYWORDS = new Set([
  'select',
  'distinct',
  'all',
  'where',
  'having',
  'and',
  'or',
  'not',
  'is',
  'like',
  'glob',
  'regexp',
  'match',
  'escape',
  'between',
  'case',
  'when',
  'then',
  'else',
  'default',
  'returning',
  'limit',
  'offset',
  'values',
  'set',
]);
/** Keywords that end a FROM list at their depth: after them a `,` separates values again. */
const VALUE_CLAUSES = new Set([
  'select',
  'values',
  'where',
  'group',
  'order',
  'having',
  'limit',
  'window',
  'returning',
  'set',
  'union',
  'except',
  'intersect',
]);

/** Tracks, per parenthesis depth, whether the current clause is a list of tables (FROM, JOIN). */
class NameContext {
  private readonly stack: boolean[] = [false];

  get inTables(): boolean {
    return this.stack[this.stack.length - 1] ?? false;
  }

  advance(statement: readonly SqlToken[], i: number): void {
    const token = statement[i] as SqlToken;
    if (token.kind === 'operator' && token.value === '(') {
      this.stack.push(opensTableList(statement[i - 1], this.inTables));
    } else if (token.kind === 'operator' && token.value === ')') {
      if (this.stack.length > 1) this.stack.pop();
    } else if (token.kind === 'word') {
      const word = foldCase(token.value);
      if (word === 'from' || word === 'join') this.stack[this.stack.length - 1] = true;
      else if (VALUE_CLAUSES.has(word)) this.stack[this.stack.length - 1] = false;
    }
  }
}

/** A "(" right after FROM or JOIN, or after "," or "(" inside a FROM list, opens a table list. */
function opensTableList(before: SqlToken | undefined, inTables: boolean): boolean {
  if (!before) return false;
  if (before.kind === 'word') return ['from', 'join'].includes(foldCase(before.value));
  return before.kind === 'operator' && (before.value === ',' || before.value === '(') && inTables;
}

/**
 * SQLite reads a 'string' as a name where its grammar wants a name (`nm ::= id | STRING`):
 * `SELECT * FROM '_x402_locks'` reads the table. A string here counts as a value only right after
 * an operator or a keyword that starts an expression, or after "(" or "," outside a FROM list;
 * anywhere else (after FROM, JOIN, INTO, UPDATE, TABLE, INDEX, ON, IN, EXISTS, REFERENCES, TO,
 * AS, INDEXED BY, a ".", or before a ".") it is taken as a name.
 */
function inNamePosition(statement: readonly SqlToken[], i: number, context: NameContext): boolean {
  const before = statement[i - 1];
  const after = statement[i + 1];
  if (after?.kind === 'operator' && after.value === '.') return true;
  if (!before) return true;
  if (before.kind === 'operator') {
    if (before.value === '.') return true;
    if (before.value === ',' || before.value === '(') return context.inTables;
    return before.value === ')';
  }
  if (before.kind !== 'word') return true;
  const word = foldCase(before.value);
  if (word === 'by') return foldCase(statement[i - 2]?.value ?? '') === 'indexed';
  return !VALUE_KEYWORDS.has(word);
}

/** A LIKE or GLOB whose pattern (a literal, or the value bound to its parameter) is over 50 bytes. */
function findLongLikePattern(
  statement: readonly SqlToken[],
  params: readonly SqlValue[],
): SqlVerdict | undefined {
  const indexes = parameterIndexes(statement);
  for (let i = 0; i + 1 < statement.length; i += 1) {
    const token = statement[i] as SqlToken;
    if (token.kind !== 'word' || !['like', 'glob'].includes(foldCase(token.value))) continue;
    const pattern = statement[i + 1] as SqlToken;
    const value =
      pattern.kind === 'string'
        ? pattern.value
        : pattern.kind === 'parameter'
          ? params[(indexes.get(i + 1) ?? 0) - 1]
          : undefined;
    if (typeof value !== 'string') continue;
    const bytes = new TextEncoder().encode(value).length;
    if (bytes > MAX_LIKE_PATTERN_BYTES) {
      return refuse(
        'sql_like_pattern_too_long',
        `The ${token.value.toUpperCase()} pattern at offset ${pattern.start} is ${bytes} bytes; Durable Object SQLite allows at most ${MAX_LIKE_PATTERN_BYTES}. Match a shorter pattern, or compare with = or instr().`,
      );
    }
  }
  return undefined;
}

/**
 * The 1-based index SQLite gives each parameter token: ?NNN is NNN, ? is one more than the largest
 * so far, a named parameter keeps the index of its first use (else one more than the largest).
 */
export function parameterIndexes(statement: readonly SqlToken[]): Map<number, number> {
  const indexes = new Map<number, number>();
  const named = new Map<string, number>();
  let largest = 0;
  statement.forEach((token, position) => {
    if (token.kind !== 'parameter') return;
    let index: number;
    if (token.value === '?') index = largest + 1;
    else if (token.value.startsWith('?')) index = Number(token.value.slice(1));
    else index = named.get(token.value) ?? largest + 1;
    if (!token.value.startsWith('?')) named.set(token.value, index);
    largest = Math.max(largest, index);
    indexes.set(position, index);
  });
  return indexes;
}
