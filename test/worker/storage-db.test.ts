/**
 * `/storage/db` through the real app and the payer's real Durable Object: the payer's own tables,
 * the system tables beside them out of reach, Durable Object SQLite's limits as 400s, the quota,
 * and one payer's tables invisible to another.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { payerStore } from '../../src/durable-objects/payer-store';
import { STORAGE_LIMITS } from '../../src/storage/limits';
import { expectFreeRejection, type TestApp, testApp } from './support/app';
import { OTHER, PAYER, TESTNET } from './support/payments';
import { type Payer, paid, paidJson, unpaid } from './support/storage-requests';

const QUERY = '/storage/db/query';
const EXECUTE = '/storage/db/execute';
const SCHEMA = '/storage/db/schema';

/** The system table names the other stores use, and one more `_x402_` name. */
const SYSTEM_TABLES = [
  '_x402_kv_usage',
  '_x402_locks',
  '_x402_queue_items',
  '_x402_memory',
  '_x402_scans',
];

const storeOfPayer = (address: string) => payerStore(env, TESTNET, address);

/** Every payer starts with no tables of its own; the system tables are all there. */
beforeEach(async () => {
  for (const address of [PAYER, OTHER]) {
    await runInDurableObject(storeOfPayer(address), (_store, state: DurableObjectState) => {
      const { sql } = state.storage;
      // Stores not merged yet get a stand-in table, so every name is really there to reach.
      for (const name of SYSTEM_TABLES) sql.exec(`CREATE TABLE IF NOT EXISTS ${name} (id TEXT)`);
      const mine = sql
        .exec<{ type: string; name: string }>(
          `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')
             AND name NOT LIKE '\\_x402\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`,
        )
        .toArray();
      for (const { type, name } of mine) sql.exec(`DROP ${type.toUpperCase()} IF EXISTS "${name}"`);
    });
  }
});

const execute = (app: TestApp, body: unknown, as: Payer = 'A') =>
  paidJson(app, EXECUTE, { body, as });
const query = (app: TestApp, body: unknown, as: Payer = 'A') => paidJson(app, QUERY, { body, as });

async function systemTablesOf(address: string): Promise<string[]> {
  return runInDurableObject(storeOfPayer(address), (_store, state: DurableObjectState) =>
    state.storage.sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_x402\\_%' ESCAPE '\\'`,
      )
      .toArray()
      .map((row) => row.name)
      .sort(),
  );
}

/** A paid request the object refused: its status and body, and nothing more settled. */
async function expectUncharged(
  app: TestApp,
  send: () => Promise<Response>,
  status: number,
  body: Record<string, unknown>,
) {
  const settled = app.settler.settled.length;
  const res = await send();
  expect({ status: res.status, body: await res.json() }).toEqual({ status, body });
  expect(app.settler.settled).toHaveLength(settled);
}

const PEOPLE =
  'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, created_at INTEGER, updated_at INTEGER)';

describe('the payer’s own tables', () => {
  it('creates a table, inserts with bound parameters and reads the rows back exactly', async () => {
    const app = testApp();
    expect(await execute(app, { sql: PEOPLE })).toEqual({
      rowsAffected: 0,
      results: [{ rowsAffected: 0 }],
    });
    expect(
      await execute(app, {
        sql: 'INSERT INTO people (name, age, created_at, updated_at) VALUES (?, ?, ?, ?)',
        params: ['ada', 36, 1_700_000_000, null],
      }),
    ).toEqual({ rowsAffected: 1, lastRowId: 1, results: [{ rowsAffected: 1, lastRowId: 1 }] });
    expect(
      await execute(app, {
        statements: [
          {
            sql: 'INSERT INTO people (name, age) VALUES (?, ?), (?, ?)',
            params: ["o'brien", 41, 'grace', true],
          },
          { sql: 'UPDATE people SET updated_at = ?1 WHERE age > ?2', params: [1_700_000_100, 30] },
          { sql: 'CREATE INDEX people_name ON people (name)' },
        ],
      }),
    ).toEqual({
      rowsAffected: 4,
      lastRowId: 3,
      results: [{ rowsAffected: 2, lastRowId: 3 }, { rowsAffected: 2 }, { rowsAffected: 0 }],
    });

    expect(
      await query(app, {
        sql: 'SELECT id, name, age FROM people WHERE age >= ? ORDER BY id',
        params: [1],
      }),
    ).toEqual({
      columns: ['id', 'name', 'age'],
      rows: [
        [1, 'ada', 36],
        [2, "o'brien", 41],
        [3, 'grace', 1],
      ],
      rowCount: 3,
      truncated: false,
    });
    expect(app.settler.settled).toHaveLength(4);
  });

  it('answers no lastRowId for an INSERT into a WITHOUT ROWID table (not an earlier rowid)', async () => {
    const app = testApp();
    expect(
      await execute(app, {
        statements: [
          { sql: 'CREATE TABLE r (a)' },
          { sql: "INSERT INTO r VALUES ('x')" },
          { sql: 'CREATE TABLE w (k TEXT PRIMARY KEY) WITHOUT ROWID' },
          { sql: "INSERT INTO w VALUES ('y')" },
        ],
      }),
    ).toEqual({
      rowsAffected: 2,
      lastRowId: 1,
      results: [
        { rowsAffected: 0 },
        { rowsAffected: 1, lastRowId: 1 },
        { rowsAffected: 0 },
        { rowsAffected: 1 },
      ],
    });
  });

  it('answers SELECT created_at, updated_at (a substring filter on "_at" would have refused it)', async () => {
    const app = testApp();
    await execute(app, { sql: PEOPLE });
    await execute(app, {
      sql: 'INSERT INTO people (name, created_at, updated_at) VALUES (?, ?, ?)',
      params: ['ada', 1, 2],
    });
    expect(await query(app, { sql: 'SELECT created_at, updated_at FROM people' })).toEqual({
      columns: ['created_at', 'updated_at'],
      rows: [[1, 2]],
      rowCount: 1,
      truncated: false,
    });
  });

  it('answers BLOBs as 0x + hex and a system table name in a string as a plain value', async () => {
    const app = testApp();
    expect(
      await query(app, {
        sql: "SELECT x'00ff10' AS b, '_x402_locks' AS s, ? AS t, NULL AS n",
        params: [false],
      }),
    ).toEqual({
      columns: ['b', 's', 't', 'n'],
      rows: [['0x00ff10', '_x402_locks', 0, null]],
      rowCount: 1,
      truncated: false,
    });
  });

  it('lists only the payer’s tables in the schema, never the system tables beside them', async () => {
    const app = testApp();
    await execute(app, { sql: PEOPLE });
    await execute(app, {
      sql: 'CREATE TABLE tags (tag TEXT, person INTEGER REFERENCES people (id), PRIMARY KEY (tag, person))',
    });
    await execute(app, { sql: 'CREATE VIEW adults AS SELECT * FROM people WHERE age >= 18' });
    // The same database holds the system tables of every store.
    expect(await systemTablesOf(PAYER)).toEqual(expect.arrayContaining(SYSTEM_TABLES));

    expect(await paidJson(app, SCHEMA)).toEqual({
      tables: [
        {
          name: 'people',
          sql: PEOPLE,
          columns: [
            { name: 'id', type: 'INTEGER', notnull: false, pk: 1 },
            { name: 'name', type: 'TEXT', notnull: true, pk: 0 },
            { name: 'age', type: 'INTEGER', notnull: false, pk: 0 },
            { name: 'created_at', type: 'INTEGER', notnull: false, pk: 0 },
            { name: 'updated_at', type: 'INTEGER', notnull: false, pk: 0 },
          ],
        },
        {
          name: 'tags',
          sql: 'CREATE TABLE tags (tag TEXT, person INTEGER REFERENCES people (id), PRIMARY KEY (tag, person))',
          columns: [
            { name: 'tag', type: 'TEXT', notnull: false, pk: 1 },
            { name: 'person', type: 'INTEGER', notnull: false, pk: 2 },
          ],
        },
      ],
    });
  });

  it('truncates a query at maxRows, and at the row limit by default', async () => {
    const app = testApp();
    await execute(app, { sql: 'CREATE TABLE n (i INTEGER)' });
    await execute(app, {
      sql: 'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1001) INSERT INTO n SELECT i FROM c',
    });
    expect(await query(app, { sql: 'SELECT i FROM n ORDER BY i', maxRows: 3 })).toEqual({
      columns: ['i'],
      rows: [[1], [2], [3]],
      rowCount: 3,
      truncated: true,
    });
    const all = await query(app, { sql: 'SELECT i FROM n ORDER BY i' });
    expect(all).toMatchObject({ rowCount: STORAGE_LIMITS.db.maxRows, truncated: true });
    expect((all.rows as number[][]).at(-1)).toEqual([1000]);
    expect(
      await query(app, { sql: 'SELECT i FROM n WHERE i > 999 ORDER BY i', maxRows: 2 }),
    ).toEqual({
      columns: ['i'],
      rows: [[1000], [1001]],
      rowCount: 2,
      truncated: false,
    });
    expect(await query(app, { sql: 'SELECT i FROM n ORDER BY i DESC', maxRows: 2 })).toMatchObject({
      rows: [[1001], [1000]],
      truncated: true,
    });
    // A truncated query leaves no statement open: the table can be dropped at once.
    expect(await execute(app, { sql: 'DROP TABLE n' })).toEqual({
      rowsAffected: 0,
      results: [{ rowsAffected: 0 }],
    });
  });

  it(`truncates a query once its rows hold about ${STORAGE_LIMITS.db.maxResultBytes} bytes`, async () => {
    const app = testApp();
    await execute(app, { sql: 'CREATE TABLE files (body BLOB)' });
    await execute(app, {
      sql: 'INSERT INTO files SELECT zeroblob(1500000) FROM (VALUES (1), (2), (3), (4), (5))',
    });
    // Each row answers 0x + 3,000,000 hex digits: the second would pass 4 MiB.
    const answer = await query(app, { sql: 'SELECT body FROM files' });
    expect({ ...answer, rows: (answer.rows as string[][]).map(([hex]) => hex?.length) }).toEqual({
      columns: ['body'],
      rows: [3_000_002],
      rowCount: 1,
      truncated: true,
    });
    expect(await execute(app, { sql: 'DROP TABLE files' })).toMatchObject({ rowsAffected: 0 });
  });

  it('answers duplicate column names as SQLite names a subquery’s (a, a:1)', async () => {
    const app = testApp();
    expect(await query(app, { sql: 'SELECT 1 AS a, 2 AS a' })).toEqual({
      columns: ['a', 'a:1'],
      rows: [[1, 2]],
      rowCount: 1,
      truncated: false,
    });
  });
});

describe('the system tables', () => {
  it('are refused with sql_system_table before any 402, bare or quoted, by query and execute', async () => {
    const app = testApp();
    const names = [
      ...new Set([...SYSTEM_TABLES, ...(await systemTablesOf(PAYER)), '_x402_not_yet_made']),
    ];
    for (const name of names) {
      const spellings = [name, `"${name.toUpperCase()}"`, `[${name}]`, `\`${name}\``, `'${name}'`];
      for (const spelled of spellings) {
        for (const [path, sql] of [
          [QUERY, `SELECT * FROM ${spelled}`],
          [QUERY, `SELECT count(*) FROM people WHERE id IN (SELECT rowid FROM main.${spelled})`],
          [EXECUTE, `DROP TABLE ${spelled}`],
          [EXECUTE, `INSERT INTO ${spelled} (id) VALUES ('x')`],
          [EXECUTE, `DELETE FROM ${spelled}`],
          [EXECUTE, `ALTER TABLE ${spelled} RENAME TO mine`],
          [EXECUTE, `CREATE VIEW leak AS SELECT * FROM ${spelled}`],
        ] as const) {
          const res = await unpaid(app, path, { body: { sql } });
          const json = (await res.clone().json()) as { message: string };
          expect(json.message).toContain(`is reserved: names starting with _x402_`);
          expect(json.message.toLowerCase()).toContain(`"${name}"`);
          await expectFreeRejection(app, res, 'sql_system_table');
        }
      }
    }
    // In a batch too, naming the statement.
    const batch = await unpaid(app, EXECUTE, {
      body: { statements: [{ sql: 'CREATE TABLE ok (a)' }, { sql: 'DELETE FROM _x402_locks' }] },
    });
    expect(await batch.clone().json()).toMatchObject({
      issues: [{ path: 'statements.1.sql', code: 'sql_system_table' }],
    });
    await expectFreeRejection(app, batch, 'sql_system_table');
    // All still there.
    expect(await systemTablesOf(PAYER)).toEqual(expect.arrayContaining(SYSTEM_TABLES));
  });

  it('refuses sqlite_master (the schema route answers instead), pragmas and ATTACH', async () => {
    const app = testApp();
    for (const [sql, code] of [
      ['SELECT name FROM sqlite_master', 'sql_system_table'],
      ['SELECT * FROM pragma_table_list', 'sql_forbidden_statement'],
      ['PRAGMA table_list', 'sql_forbidden_statement'],
      ["ATTACH DATABASE ':memory:' AS other", 'sql_forbidden_statement'],
    ]) {
      await expectFreeRejection(app, await unpaid(app, EXECUTE, { body: { sql } }), code as string);
    }
  });
});

describe('refusals before the 402', () => {
  it('101 bound parameters: sql_too_many_parameters, nothing settled; 100 are served', async () => {
    const app = testApp();
    const sql = `SELECT ${Array.from({ length: 101 }, () => '?').join(', ')}`;
    const res = await unpaid(app, QUERY, {
      body: { sql, params: Array.from({ length: 101 }, (_, i) => i) },
    });
    expect(await res.clone().json()).toMatchObject({
      message:
        'The request is invalid (nothing was charged): params: 101 parameters; Durable Object SQLite binds at most 100 per statement.',
    });
    await expectFreeRejection(app, res, 'sql_too_many_parameters');

    const hundred = await query(app, {
      sql: `SELECT ${Array.from({ length: 100 }, () => '?').join(', ')}`,
      params: Array.from({ length: 100 }, (_, i) => i),
    });
    expect(hundred.rows).toEqual([Array.from({ length: 100 }, (_, i) => i)]);
  });

  it('a read-only query refuses INSERT, and a WITH ... DELETE', async () => {
    const app = testApp();
    for (const sql of [
      'INSERT INTO people (name) VALUES (1)',
      'WITH x AS (SELECT 1) DELETE FROM people',
    ]) {
      await expectFreeRejection(
        app,
        await unpaid(app, QUERY, { body: { sql } }),
        'sql_not_read_only',
      );
    }
  });

  it('execute takes sql or statements, not both', async () => {
    const app = testApp();
    const res = await unpaid(app, EXECUTE, {
      body: { sql: 'CREATE TABLE a (x)', statements: [{ sql: 'CREATE TABLE b (x)' }] },
    });
    expect(await res.clone().json()).toMatchObject({
      message:
        'The request is invalid (nothing was charged): body: send either sql (one statement) or statements (a batch).',
    });
    await expectFreeRejection(app, res, 'invalid_request');
  });

  it('two statements in one call: sql_multiple_statements', async () => {
    const app = testApp();
    const res = await unpaid(app, EXECUTE, {
      body: { sql: 'CREATE TABLE a (x); DROP TABLE people' },
    });
    await expectFreeRejection(app, res, 'sql_multiple_statements');
  });

  it('a literal LIKE pattern of 51 bytes: sql_like_pattern_too_long', async () => {
    const app = testApp();
    const res = await unpaid(app, QUERY, {
      body: { sql: `SELECT * FROM people WHERE name LIKE '${'a'.repeat(51)}'` },
    });
    await expectFreeRejection(app, res, 'sql_like_pattern_too_long');
  });

  it('a statement that is not SQL: sql_syntax_error', async () => {
    const app = testApp();
    await expectFreeRejection(
      app,
      await unpaid(app, QUERY, { body: { sql: 'SELEC 1' } }),
      'sql_syntax_error',
    );
    await expectFreeRejection(
      app,
      await unpaid(app, QUERY, { body: { sql: "SELECT 'open" } }),
      'sql_syntax_error',
    );
  });
});

describe('SQLite’s own refusals: 400, never a 500, nothing charged', () => {
  it('a syntax error SQLite finds, on query and (in the precheck) on execute', async () => {
    const app = testApp();
    await expectUncharged(
      app,
      () => paid(app, QUERY, { body: { sql: 'SELECT * FROM people WHERE' } }),
      400,
      {
        code: 'sql_syntax_error',
        message: 'incomplete input: SQLITE_ERROR. Nothing was charged.',
      },
    );
    await expectUncharged(
      app,
      () => paid(app, EXECUTE, { body: { sql: 'CREATE TABLE t (a,)' } }),
      400,
      {
        code: 'sql_syntax_error',
        message: 'near ")": syntax error at offset 18: SQLITE_ERROR. Nothing was charged.',
      },
    );
  });

  it('a LIKE pattern over 50 bytes that reaches SQLite (the like() function): sql_like_pattern_too_long', async () => {
    const app = testApp();
    await execute(app, { sql: PEOPLE });
    await execute(app, { sql: "INSERT INTO people (name) VALUES ('ada')" });
    const body = { sql: 'SELECT like(?, name) FROM people', params: ['a'.repeat(51)] };
    await expectUncharged(app, () => paid(app, QUERY, { body }), 400, {
      code: 'sql_like_pattern_too_long',
      message: 'LIKE or GLOB pattern too complex: SQLITE_ERROR. Nothing was charged.',
    });
  });

  it('a row over 2 MB: sql_row_too_large, and nothing stored', async () => {
    const app = testApp();
    await execute(app, { sql: 'CREATE TABLE files (body BLOB)' });
    const body = { sql: 'INSERT INTO files VALUES (zeroblob(3000000))' };
    await expectUncharged(app, () => paid(app, EXECUTE, { body }), 400, {
      code: 'sql_row_too_large',
      message: 'string or blob too big: SQLITE_TOOBIG. Nothing was charged.',
    });
    expect(await query(app, { sql: 'SELECT count(*) AS n FROM files' })).toMatchObject({
      rows: [[0]],
    });
  });

  it('a batch is all or nothing: a failing statement rolls back the ones before it', async () => {
    const app = testApp();
    const statements = [
      { sql: 'CREATE TABLE kept (a UNIQUE)' },
      { sql: 'INSERT INTO kept VALUES (1), (1)' },
    ];
    await expectUncharged(app, () => paid(app, EXECUTE, { body: { statements } }), 400, {
      code: 'sql_constraint_failed',
      message:
        'statements[1]: UNIQUE constraint failed: kept.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE). Nothing was charged.',
      statement: 1,
    });
    expect(await paidJson(app, SCHEMA)).toEqual({ tables: [] });
  });

  it('a table that does not exist: sql_error with SQLite’s message', async () => {
    const app = testApp();
    await expectUncharged(
      app,
      () => paid(app, QUERY, { body: { sql: 'SELECT * FROM nowhere' } }),
      400,
      {
        code: 'sql_error',
        message: 'no such table: nowhere: SQLITE_ERROR. Nothing was charged.',
      },
    );
  });
});

describe('quota', () => {
  it(`refuses the table past ${STORAGE_LIMITS.dbQuota.tables} with 409 quota_exceeded before settlement`, async () => {
    const app = testApp();
    const { tables } = STORAGE_LIMITS.dbQuota;
    const batch = STORAGE_LIMITS.db.maxBatchStatements;
    for (let first = 0; first < tables; first += batch) {
      const statements = Array.from({ length: Math.min(batch, tables - first) }, (_, i) => ({
        sql: `CREATE TABLE t${first + i} (a)`,
      }));
      await execute(app, { statements });
    }
    const settled = app.settler.settled.length;
    const res = await paid(app, EXECUTE, { body: { sql: 'CREATE TABLE one_too_many (a)' } });
    await expect(res.json()).resolves.toEqual({
      code: 'quota_exceeded',
      message: `The statements would leave ${tables + 1} tables, over the quota of ${tables}; nothing was changed. Drop a table first. Nothing was charged.`,
    });
    expect(res.status).toBe(409);
    expect(app.settler.settled).toHaveLength(settled);
    // Dropping one makes room.
    await execute(app, { sql: 'DROP TABLE t0' });
    await execute(app, { sql: 'CREATE TABLE one_more (a)' });
  });

  it('rolls back a write that grows the database past its size quota, and lets a delete through', async () => {
    const store = storeOfPayer(PAYER);
    const quota = { maxDatabaseBytes: 0, maxTables: 100 };
    const before = await runInDurableObject(
      store,
      (_s, state: DurableObjectState) => state.storage.sql.databaseSize,
    );
    quota.maxDatabaseBytes = before + 200_000;
    expect(
      await store.executeUserSql({
        statements: [
          { sql: 'CREATE TABLE big (b)' },
          { sql: 'INSERT INTO big VALUES (zeroblob(100000))' },
        ],
        quota,
      }),
    ).toEqual({
      ok: true,
      rowsAffected: 1,
      lastRowId: 1,
      results: [{ rowsAffected: 0 }, { rowsAffected: 1, lastRowId: 1 }],
    });
    const over = await store.executeUserSql({
      statements: [{ sql: 'INSERT INTO big VALUES (zeroblob(300000))' }],
      quota,
    });
    expect(over).toMatchObject({ ok: false, code: 'quota_exceeded' });
    expect(
      await store.queryUserSql({
        sql: 'SELECT count(*) FROM big',
        maxRows: 10,
        maxResultBytes: 1000,
      }),
    ).toEqual({
      ok: true,
      columns: ['count(*)'],
      rows: [[1]],
      rowCount: 1,
      truncated: false,
    });
    // Over the quota (a smaller one now), a delete still passes: it shrinks the database.
    expect(
      await store.executeUserSql({
        statements: [{ sql: 'DELETE FROM big' }],
        quota: { ...quota, maxDatabaseBytes: 1 },
      }),
    ).toEqual({ ok: true, rowsAffected: 1, results: [{ rowsAffected: 1 }] });
  });
});

describe('isolation between payers', () => {
  it('payer B cannot see, query, change or drop payer A’s table of the same name', async () => {
    const app = testApp();
    await execute(app, { sql: 'CREATE TABLE notes (body TEXT)' });
    await execute(app, { sql: 'INSERT INTO notes VALUES (?)', params: ['secret of A'] });

    expect(await paidJson(app, SCHEMA, { as: 'B' })).toEqual({ tables: [] });
    const noTable = {
      code: 'sql_error',
      message: 'no such table: notes: SQLITE_ERROR. Nothing was charged.',
    };
    await expectUncharged(
      app,
      () => paid(app, QUERY, { body: { sql: 'SELECT * FROM notes' }, as: 'B' }),
      400,
      noTable,
    );
    for (const sql of [
      "UPDATE notes SET body = 'B was here'",
      'DELETE FROM notes',
      'DROP TABLE notes',
    ]) {
      await expectUncharged(
        app,
        () => paid(app, EXECUTE, { body: { sql }, as: 'B' }),
        400,
        noTable,
      );
    }

    // B's own table of the same name is B's alone.
    await execute(app, { sql: 'CREATE TABLE notes (body TEXT)' }, 'B');
    await execute(app, { sql: "INSERT INTO notes VALUES ('note of B')" }, 'B');
    await execute(app, { sql: 'DROP TABLE notes' }, 'B');
    expect(await query(app, { sql: 'SELECT body FROM notes' })).toEqual({
      columns: ['body'],
      rows: [['secret of A']],
      rowCount: 1,
      truncated: false,
    });
  });
});
