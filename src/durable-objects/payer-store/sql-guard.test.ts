import { describe, expect, it } from 'vitest';
import { guardSql, parameterIndexes, type SqlMode } from './sql-guard';
import { tokenizeSql } from './sql-tokenizer';

const tokens = (sql: string) => {
  const result = tokenizeSql(sql);
  if (!result.ok) throw new Error(result.message);
  return result.tokens.map(({ kind, value }) => [kind, value]);
};

const systemTable = (
  name: string,
  offset: number,
  hint = ' GET /storage/db/schema lists your tables.',
) => ({
  ok: false,
  code: 'sql_system_table',
  message: `"${name}" (offset ${offset}) is reserved: names starting with _x402_, sqlite_ or _cf_ belong to the system tables of your storage object, and user SQL may name only your own tables.${hint}`,
});
const SQLITE_HINT =
  ' SQLite reserves sqlite_ names for its own tables and functions; GET /storage/db/schema lists your tables and their columns.';
const forbidden = (what: string, offset: number) => ({
  ok: false,
  code: 'sql_forbidden_statement',
  message: `${what} statements are not allowed on /storage/db (offset ${offset}): send CREATE TABLE/INDEX/VIEW/TRIGGER, ALTER, DROP, INSERT, REPLACE, UPDATE or DELETE to /storage/db/execute (several in one transaction as a statements batch) and SELECT, VALUES or WITH to /storage/db/query.`,
});
const notReadOnly = (kind: string) => ({
  ok: false,
  code: 'sql_not_read_only',
  message: `/storage/db/query runs one read-only statement (SELECT, VALUES or WITH ... SELECT); this one is ${kind}: send it to /storage/db/execute.`,
});
const multiple = (offset: number) => ({
  ok: false,
  code: 'sql_multiple_statements',
  message: `Send one statement per call: another statement starts at offset ${offset} (a trailing ; is fine; /storage/db/execute runs several as a statements batch, in one transaction).`,
});
const longLike = (offset: number, bytes: number, op = 'LIKE') => ({
  ok: false,
  code: 'sql_like_pattern_too_long',
  message: `The ${op} pattern at offset ${offset} is ${bytes} bytes; Durable Object SQLite allows at most 50. Match a shorter pattern, or compare with = or instr().`,
});
const syntax = (message: string) => ({ ok: false, code: 'sql_syntax_error', message });

describe('tokenizeSql', () => {
  it("reads '' inside a string as one quote, and each kind of quoted identifier unquoted", () => {
    expect(tokens(`SELECT 'it''s', "a""b", \`c\`\`d\`, [e "f"]`)).toEqual([
      ['word', 'SELECT'],
      ['string', "it's"],
      ['operator', ','],
      ['quoted', 'a"b'],
      ['operator', ','],
      ['quoted', 'c`d'],
      ['operator', ','],
      ['quoted', 'e "f"'],
    ]);
  });

  it('drops -- and /* */ comments (an unterminated /* runs to the end, as in SQLite)', () => {
    expect(
      tokens('SELECT 1 -- _x402_locks ;\n/* _x402_queue; */ + 2 /* open _x402_memory'),
    ).toEqual([
      ['word', 'SELECT'],
      ['number', '1'],
      ['operator', '+'],
      ['number', '2'],
    ]);
  });

  it('reads blobs, numbers, every kind of parameter and the multi-character operators', () => {
    expect(
      tokens("x'0A1b' 1.5e3 0x1F .5 1_000 ? ?2 :name @n $v #t -> ->> || <> != == <= >= << >> ;"),
    ).toEqual([
      ['blob', '0A1b'],
      ['number', '1.5e3'],
      ['number', '0x1F'],
      ['number', '.5'],
      ['number', '1_000'],
      ['parameter', '?'],
      ['parameter', '?2'],
      ['parameter', ':name'],
      ['parameter', '@n'],
      ['parameter', '$v'],
      ['parameter', '#t'],
      ['operator', '->'],
      ['operator', '->>'],
      ['operator', '||'],
      ['operator', '<>'],
      ['operator', '!='],
      ['operator', '=='],
      ['operator', '<='],
      ['operator', '>='],
      ['operator', '<<'],
      ['operator', '>>'],
      ['semicolon', ';'],
    ]);
  });

  it('takes a non-ASCII character as identifier text, never as whitespace (as SQLite does)', () => {
    expect(tokens('SELECT\u00a0_x402_locks')).toEqual([['word', 'SELECT\u00a0_x402_locks']]);
    expect(tokens('select ĉapelo')).toEqual([
      ['word', 'select'],
      ['word', 'ĉapelo'],
    ]);
  });

  it('refuses what SQLite calls an illegal token, with its offset', () => {
    expect(tokenizeSql("SELECT 'abc")).toEqual({
      ok: false,
      message: "unterminated string literal (no closing ')",
      offset: 7,
    });
    expect(tokenizeSql('SELECT "abc')).toEqual({
      ok: false,
      message: 'unterminated quoted identifier (no closing ")',
      offset: 7,
    });
    expect(tokenizeSql('SELECT [abc')).toEqual({
      ok: false,
      message: 'unterminated [identifier] (no closing ])',
      offset: 7,
    });
    expect(tokenizeSql("SELECT x'abc'")).toEqual({
      ok: false,
      message: 'malformed blob literal: x followed by an even number of hex digits in quotes',
      offset: 7,
    });
    expect(tokenizeSql('SELECT 12abc')).toEqual({
      ok: false,
      message: 'unrecognized token "12abc"',
      offset: 7,
    });
    expect(tokenizeSql('SELECT 1 ! 2')).toEqual({
      ok: false,
      message: 'unrecognized token "!"',
      offset: 9,
    });
    expect(tokenizeSql('SELECT \\x')).toEqual({
      ok: false,
      message: 'unrecognized token "\\"',
      offset: 7,
    });
  });
});

describe('guardSql: allowed statements', () => {
  it.each<[string, SqlMode, string, string?]>([
    ["SELECT '_x402_locks'", 'query', 'select'],
    ['SELECT created_at, updated_at FROM t', 'query', 'select'],
    ["SELECT 'it''s _x402_queue_items' AS label", 'query', 'select'],
    ['SELECT /* _x402_locks */ 1 -- FROM _x402_memory\n', 'query', 'select'],
    [
      "SELECT a, '_x402_b' FROM t WHERE x IN ('_x402_c', 'd') AND y = '_x402_e' OR y LIKE '_x402_%'",
      'query',
      'select',
    ],
    ['select * from T where "name" = ? ;', 'query', 'select'],
    ['VALUES (1, 2), (3, 4)', 'query', 'select'],
    [
      'WITH x(a) AS (SELECT 1), y AS NOT MATERIALIZED (SELECT 2) SELECT * FROM x, y',
      'query',
      'select',
    ],
    [
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT x FROM c',
      'query',
      'select',
    ],
    [
      'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER)',
      'execute',
      'create',
    ],
    ["INSERT INTO t VALUES ('_x402_locks', x'00ff', ?)", 'execute', 'insert', 't'],
    ['REPLACE INTO t (a) VALUES (1)', 'execute', 'insert', 't'],
    ['INSERT OR IGNORE INTO main."My ""Table""" (a) VALUES (1)', 'execute', 'insert', 'My "Table"'],
    ['WITH x(a) AS (SELECT 1) INSERT INTO [t2] SELECT a FROM x', 'execute', 'insert', 't2'],
    ["UPDATE t SET name = '_x402_memory' WHERE id = 1", 'execute', 'update'],
    ['WITH old AS (SELECT id FROM t) DELETE FROM t WHERE id IN old', 'execute', 'delete'],
    ['DROP TABLE IF EXISTS t', 'execute', 'drop'],
    ['ALTER TABLE t ADD COLUMN updated_at INTEGER', 'execute', 'alter'],
    [
      'CREATE TRIGGER stamp AFTER UPDATE ON t BEGIN UPDATE t SET n = CASE WHEN new.n > 0 THEN 1 END; INSERT INTO log VALUES (new.id); END;',
      'execute',
      'create',
    ],
    ['SELECT 1 ;; -- done', 'query', 'select'],
  ])('%s (%s)', (sql, mode, kind, into?: string) => {
    expect(guardSql(sql, mode)).toEqual({
      ok: true,
      kind,
      text: sql.replace(/[\s;]*(--.*)?\n?$/, ''),
      ...(into === undefined ? {} : { into }),
    });
  });

  it('answers the statement alone: without a trailing ; or the comments around it', () => {
    expect(guardSql(' /* a */ SELECT 1 /* b */ + 2 ; -- c\n;', 'query')).toEqual({
      ok: true,
      kind: 'select',
      text: 'SELECT 1 /* b */ + 2',
    });
  });
});

describe('guardSql: system tables', () => {
  it('refuses every system table name the other stores use, and any _x402_ name, bare or quoted', () => {
    for (const name of [
      '_x402_kv_usage',
      '_x402_locks',
      '_x402_queue_items',
      '_x402_memory',
      '_x402_scans',
      '_x402_anything',
    ]) {
      expect(guardSql(`SELECT * FROM ${name}`, 'query')).toEqual(systemTable(name, 14));
      expect(guardSql(`SELECT * FROM "${name}"`, 'query')).toEqual(systemTable(name, 14));
      expect(guardSql(`SELECT * FROM \`${name}\``, 'query')).toEqual(systemTable(name, 14));
      expect(guardSql(`SELECT * FROM [${name}]`, 'query')).toEqual(systemTable(name, 14));
      expect(guardSql(`DELETE FROM ${name.toUpperCase()}`, 'execute')).toEqual(
        systemTable(name.toUpperCase(), 12),
      );
    }
  });

  it('is case-insensitive and finds the name anywhere in the statement', () => {
    expect(guardSql('select * from "_X402_LOCKS"', 'query')).toEqual(
      systemTable('_X402_LOCKS', 14),
    );
    expect(guardSql('select * from [_x402_queue]', 'query')).toEqual(
      systemTable('_x402_queue', 14),
    );
    expect(
      guardSql('SELECT * FROM t WHERE id IN (SELECT id FROM main._X402_Memory)', 'query'),
    ).toEqual(systemTable('_X402_Memory', 49));
    expect(guardSql('CREATE VIEW v AS SELECT * FROM _x402_scans', 'execute')).toEqual(
      systemTable('_x402_scans', 31),
    );
    expect(guardSql('CREATE TABLE _x402_mine (a)', 'execute')).toEqual(
      systemTable('_x402_mine', 13),
    );
    expect(guardSql('ALTER TABLE t RENAME TO "_x402_new"', 'execute')).toEqual(
      systemTable('_x402_new', 24),
    );
  });

  it("refuses a 'string' where SQLite reads a string as a table name", () => {
    expect(guardSql("SELECT * FROM '_x402_locks'", 'query')).toEqual(
      systemTable('_x402_locks', 14),
    );
    expect(guardSql("SELECT 1 WHERE 'a' IN '_x402_locks'", 'query')).toEqual(
      systemTable('_x402_locks', 22),
    );
    expect(guardSql("SELECT * FROM t, '_x402_locks'", 'query')).toEqual(
      systemTable('_x402_locks', 17),
    );
    expect(guardSql("SELECT * FROM t JOIN u ON 1, '_x402_locks'", 'query')).toEqual(
      systemTable('_x402_locks', 29),
    );
    expect(guardSql("SELECT * FROM ('_x402_locks')", 'query')).toEqual(
      systemTable('_x402_locks', 15),
    );
    expect(guardSql("SELECT * FROM main.'_x402_locks'", 'query')).toEqual(
      systemTable('_x402_locks', 19),
    );
    expect(guardSql("SELECT '_x402_locks'.k FROM t", 'query')).toEqual(
      systemTable('_x402_locks', 7),
    );
    expect(guardSql("INSERT INTO '_x402_queue_items' VALUES (1)", 'execute')).toEqual(
      systemTable('_x402_queue_items', 12),
    );
    expect(guardSql("UPDATE OR REPLACE '_x402_locks' SET a = 1", 'execute')).toEqual(
      systemTable('_x402_locks', 18),
    );
    expect(guardSql("DROP TABLE IF EXISTS '_x402_kv_usage'", 'execute')).toEqual(
      systemTable('_x402_kv_usage', 21),
    );
    expect(guardSql("CREATE TABLE t (a REFERENCES '_x402_locks')", 'execute')).toEqual(
      systemTable('_x402_locks', 29),
    );
    expect(guardSql("CREATE INDEX i ON '_x402_memory' (a)", 'execute')).toEqual(
      systemTable('_x402_memory', 18),
    );
  });

  it('refuses sqlite_ and _cf_ names, pointing sqlite_master at the schema route', () => {
    expect(guardSql('SELECT * FROM sqlite_master', 'query')).toEqual(
      systemTable('sqlite_master', 14, SQLITE_HINT),
    );
    expect(guardSql("SELECT * FROM 'SQLITE_SCHEMA'", 'query')).toEqual(
      systemTable('SQLITE_SCHEMA', 14, SQLITE_HINT),
    );
    expect(guardSql('SELECT * FROM _cf_KV', 'query')).toEqual(systemTable('_cf_KV', 14));
  });
});

describe('guardSql: forbidden statements', () => {
  it.each<[string, string, number]>([
    ["ATTACH DATABASE 'x' AS y", 'ATTACH', 0],
    ['DETACH y', 'DETACH', 0],
    ['PRAGMA table_info(t)', 'PRAGMA', 0],
    ['vacuum', 'VACUUM', 0],
    ['REINDEX', 'REINDEX', 0],
    ['ANALYZE', 'ANALYZE', 0],
    ['EXPLAIN SELECT 1', 'EXPLAIN', 0],
    ['BEGIN', 'BEGIN', 0],
    ['COMMIT', 'COMMIT', 0],
    ['SAVEPOINT s', 'SAVEPOINT', 0],
    ['CREATE TEMP TABLE x (a)', 'CREATE TEMP', 0],
    ["CREATE VIRTUAL TABLE f USING fts5(x, content='_x402_memory')", 'CREATE VIRTUAL TABLE', 0],
    ['CREATE TRIGGER tr AFTER INSERT ON t BEGIN PRAGMA foreign_keys = 0; END', 'PRAGMA', 42],
  ])('%s', (sql, what, offset) => {
    expect(guardSql(sql, 'execute')).toEqual(forbidden(what, offset));
  });

  it('refuses the pragma table functions and dbstat, which describe every table', () => {
    expect(guardSql("SELECT * FROM pragma_table_info('t')", 'query')).toEqual({
      ok: false,
      code: 'sql_forbidden_statement',
      message:
        'pragma_table_info is not allowed on /storage/db (offset 14): pragma functions and dbstat describe every table of the object; GET /storage/db/schema describes yours.',
    });
    expect(guardSql('SELECT name FROM "DBSTAT"', 'query')).toEqual({
      ok: false,
      code: 'sql_forbidden_statement',
      message:
        'DBSTAT is not allowed on /storage/db (offset 17): pragma functions and dbstat describe every table of the object; GET /storage/db/schema describes yours.',
    });
  });
});

describe('guardSql: one statement, read-only for query', () => {
  it('refuses a second statement, whatever it is; a trailing ; is fine', () => {
    expect(guardSql('SELECT 1; SELECT 2', 'query')).toEqual(multiple(10));
    expect(guardSql("SELECT 1; DELETE FROM t -- ';'", 'query')).toEqual(multiple(10));
    expect(guardSql('INSERT INTO t VALUES (1);INSERT INTO t VALUES (2);', 'execute')).toEqual(
      multiple(25),
    );
    expect(guardSql("SELECT ';' AS semicolon; ", 'query')).toEqual({
      ok: true,
      kind: 'select',
      text: "SELECT ';' AS semicolon",
    });
    expect(
      guardSql(
        'CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1); END; DROP TABLE t',
        'execute',
      ),
    ).toEqual(multiple(73));
  });

  it('names a system table in any statement before counting statements', () => {
    expect(guardSql('SELECT 1; DROP TABLE _x402_locks', 'query')).toEqual(
      systemTable('_x402_locks', 21),
    );
  });

  it('refuses writes on query, including a WITH whose main statement writes', () => {
    expect(guardSql('INSERT INTO t VALUES (1)', 'query')).toEqual(notReadOnly('INSERT'));
    expect(guardSql('WITH x AS (SELECT 1) DELETE FROM t', 'query')).toEqual(notReadOnly('DELETE'));
    expect(guardSql('WITH x(a) AS (SELECT (1)) INSERT INTO t SELECT a FROM x', 'query')).toEqual(
      notReadOnly('INSERT'),
    );
    expect(guardSql('with x as (select 1) update t set a = 1', 'query')).toEqual(
      notReadOnly('UPDATE'),
    );
    expect(guardSql('CREATE TABLE t (a)', 'query')).toEqual(notReadOnly('CREATE'));
    expect(guardSql('DROP TABLE t', 'query')).toEqual(notReadOnly('DROP'));
  });

  it('refuses what is not a statement', () => {
    expect(guardSql(' -- nothing\n/* here */ ;', 'query')).toEqual({
      ok: false,
      code: 'sql_no_statement',
      message: 'The SQL holds no statement, only whitespace or comments.',
    });
    expect(guardSql('SELEC 1', 'execute')).toEqual(
      syntax(
        'A statement starts with SELECT, VALUES, WITH, INSERT, REPLACE, UPDATE, DELETE, CREATE, DROP or ALTER, not "SELEC" (offset 0).',
      ),
    );
    expect(guardSql('WITH x AS (SELECT 1)', 'query')).toEqual(
      syntax(
        'The WITH clause is not followed by a SELECT, INSERT, REPLACE, UPDATE or DELETE statement.',
      ),
    );
    expect(guardSql("SELECT 'abc", 'query')).toEqual(
      syntax("unterminated string literal (no closing ') at offset 7"),
    );
  });
});

describe('guardSql: LIKE and GLOB patterns over 50 bytes', () => {
  it('refuses a literal pattern of 51 bytes and allows 50', () => {
    expect(guardSql(`SELECT * FROM t WHERE a LIKE '${'a'.repeat(51)}'`, 'query')).toEqual(
      longLike(29, 51),
    );
    expect(guardSql(`SELECT * FROM t WHERE a NOT GLOB '${'a'.repeat(51)}'`, 'query')).toEqual(
      longLike(33, 51, 'GLOB'),
    );
    const fifty = `SELECT * FROM t WHERE a LIKE '${'a'.repeat(50)}'`;
    expect(guardSql(fifty, 'query')).toEqual({ ok: true, kind: 'select', text: fifty });
    // 26 characters, 51 bytes of UTF-8.
    expect(guardSql(`DELETE FROM t WHERE a LIKE '${'é'.repeat(25)}a'`, 'execute')).toEqual(
      longLike(27, 51),
    );
  });

  it('refuses a bound pattern over 50 bytes, following SQLite parameter numbering', () => {
    const long = 'b'.repeat(51);
    expect(guardSql('SELECT * FROM t WHERE a = ? AND b LIKE ?', 'query', [1, long])).toEqual(
      longLike(39, 51),
    );
    expect(guardSql('SELECT * FROM t WHERE a = ?2 AND b LIKE :p', 'query', [1, 'x', long])).toEqual(
      longLike(40, 51),
    );
    expect(guardSql('SELECT * FROM t WHERE a LIKE ?', 'query', ['b'.repeat(50)])).toEqual({
      ok: true,
      kind: 'select',
      text: 'SELECT * FROM t WHERE a LIKE ?',
    });
  });

  it('numbers parameters as SQLite does', () => {
    const lexed = tokenizeSql('SELECT ?, ?5, ?, :a, @b, :a, ?');
    if (!lexed.ok) throw new Error(lexed.message);
    const params = lexed.tokens.filter((t) => t.kind === 'parameter');
    const indexes = parameterIndexes(lexed.tokens);
    expect(params.map((t) => [t.value, indexes.get(lexed.tokens.indexOf(t))])).toEqual([
      ['?', 1],
      ['?5', 5],
      ['?', 6],
      [':a', 7],
      ['@b', 8],
      [':a', 7],
      ['?', 9],
    ]);
  });
});
