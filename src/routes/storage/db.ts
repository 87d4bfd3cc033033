/**
 * `/storage/db`: the payer's own SQL tables, in its Durable Object's SQLite database (DESIGN
 * section 8), beside the object's system tables, which no user statement can name (sql-guard.ts).
 *
 * Every statement is guarded in the request schema, so a refused one (a system table, two
 * statements, a write sent to query, too many parameters, a long LIKE pattern) is a 400 before
 * any 402. `query` and `schema` settle after the answer; a SQLite error there is a 400 and charges
 * nothing. `execute` settles first: its precheck runs the statements in the object and rolls them
 * back (a dry run), so a SQLite error or a quota refusal charges nothing; then, paid, they run for
 * real in one transaction, checked again (a refusal there, if the tables changed in between, is
 * recorded as owed to the payer).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type PayerStore, payerStore } from '../../durable-objects/payer-store';
import { guardSql, type SqlMode, type SqlValue } from '../../durable-objects/payer-store/sql-guard';
import type { UserSqlFailure, UserSqlStatement } from '../../durable-objects/payer-store/user-sql';
import type { AppEnv } from '../../env';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { STORAGE_LIMITS } from '../../storage/limits';
import { defineRoute, STANDARD, STANDARD_UPFRONT } from '../registry';
import { identityOf, storeOf } from './payer';

const { db, dbQuota } = STORAGE_LIMITS;
const QUOTA = { maxDatabaseBytes: dbQuota.databaseBytes, maxTables: dbQuota.tables };

const sqlSchema = (example: string) =>
  z.string().openapi({
    description: `One SQLite statement, at most ${db.sqlBytes} bytes; a trailing \`;\` is fine. Names starting with \`_x402_\`, \`sqlite_\` or \`_cf_\` are reserved.`,
    example,
  });
const paramsSchema = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi({
  description: `Values bound to the statement's \`?\` (or \`?NNN\`, \`:name\`) parameters, in order; at most ${db.maxParameters}. true and false are bound as 1 and 0.`,
  example: ['ada', 36],
});

/** The checks that need no database: size, parameter count and the guard, before any 402. */
function checkStatement(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  statement: { sql: string; params?: SqlValue[] },
  mode: SqlMode,
): void {
  const refusal = statementRefusal(statement, mode);
  if (!refusal) return;
  const [field, code, message] = refusal;
  ctx.addIssue({ code: 'custom', path: [...path, field], message, params: { code } });
}

/** Why a statement is refused before the 402: `[field, code, message]`, or undefined. */
function statementRefusal(
  statement: { sql: string; params?: SqlValue[] },
  mode: SqlMode,
): [field: 'sql' | 'params', code: string, message: string] | undefined {
  const params = statement.params ?? [];
  const bytes = new TextEncoder().encode(statement.sql).length;
  if (bytes > db.sqlBytes) {
    return ['sql', 'sql_too_long', `the statement is ${bytes} bytes; at most ${db.sqlBytes}`];
  }
  if (params.length > db.maxParameters) {
    return [
      'params',
      'sql_too_many_parameters',
      `${params.length} parameters; Durable Object SQLite binds at most ${db.maxParameters} per statement`,
    ];
  }
  const verdict = guardSql(statement.sql, mode, params);
  return verdict.ok ? undefined : ['sql', verdict.code, verdict.message];
}

export const DbQueryRequestSchema = z
  .object({
    sql: sqlSchema('SELECT name, age FROM people WHERE age > ? ORDER BY name'),
    params: paramsSchema.optional(),
    maxRows: z
      .number()
      .int()
      .min(1)
      .max(db.maxRows)
      .optional()
      .openapi({
        description: `Rows to answer at most (default and maximum ${db.maxRows}).`,
        example: 100,
      }),
  })
  .strict()
  .superRefine((body, ctx) => checkStatement(ctx, [], body, 'query'))
  .openapi('DbQueryRequest', {
    example: { sql: 'SELECT name, age FROM people WHERE age > ? ORDER BY name', params: [30] },
  });

export const DbQueryResponseSchema = z
  .object({
    columns: z.array(z.string()).openapi({ example: ['name', 'age'] }),
    rows: z.array(z.array(z.unknown())).openapi({
      description:
        'One array per row, in column order. BLOBs are 0x + hex; integers beyond 2^53 lose precision.',
      example: [['ada', 36]],
    }),
    rowCount: z.number().int().openapi({ example: 1 }),
    truncated: z.boolean().openapi({
      description: `More rows matched than were answered (maxRows, or about ${db.maxResultBytes} bytes).`,
      example: false,
    }),
  })
  .openapi('DbQueryResponse');

const statementSchema = z
  .object({
    sql: sqlSchema('INSERT INTO people (name, age) VALUES (?, ?)'),
    params: paramsSchema.optional(),
  })
  .strict();

export const DbExecuteRequestSchema = z
  .object({
    sql: sqlSchema(
      'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)',
    ).optional(),
    params: paramsSchema.optional(),
    statements: z
      .array(statementSchema)
      .min(1)
      .max(db.maxBatchStatements)
      .optional()
      .openapi({
        description: `Instead of sql: up to ${db.maxBatchStatements} statements run in order in one transaction (all or nothing).`,
      }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.sql === undefined) === (body.statements === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'send either sql (one statement) or statements (a batch)',
      });
      return;
    }
    if (body.statements && body.params) {
      ctx.addIssue({
        code: 'custom',
        path: ['params'],
        message: 'in a batch, each statement has its own params',
      });
      return;
    }
    for (const [index, statement] of statementsOf(body).entries()) {
      checkStatement(ctx, body.statements ? ['statements', index] : [], statement, 'execute');
    }
  })
  .openapi('DbExecuteRequest', {
    example: {
      statements: [
        { sql: 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)' },
        {
          sql: 'INSERT INTO people (name, age) VALUES (?, ?), (?, ?)',
          params: ['ada', 36, 'alan', 41],
        },
      ],
    },
  });

type DbExecuteRequest = z.infer<typeof DbExecuteRequestSchema>;

const outcomeShape = {
  rowsAffected: z.number().int().openapi({
    description: 'Rows inserted, updated or deleted (0 for CREATE, DROP, ALTER).',
    example: 1,
  }),
  lastRowId: z.number().int().optional().openapi({
    description: 'The rowid of the last row inserted (INSERT into a rowid table).',
    example: 1,
  }),
};

export const DbExecuteResponseSchema = z
  .object({
    ...outcomeShape,
    results: z
      .array(z.object(outcomeShape))
      .openapi({ description: 'One per statement, in order.' }),
  })
  .openapi('DbExecuteResponse');

export const DbSchemaResponseSchema = z
  .object({
    tables: z.array(
      z.object({
        name: z.string().openapi({ example: 'people' }),
        sql: z.string().openapi({
          example: 'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)',
        }),
        columns: z.array(
          z.object({
            name: z.string().openapi({ example: 'id' }),
            type: z.string().openapi({ example: 'INTEGER' }),
            notnull: z.boolean().openapi({ example: false }),
            pk: z.number().int().openapi({
              description: 'Position in the primary key (0: not part of it).',
              example: 1,
            }),
          }),
        ),
      }),
    ),
  })
  .openapi('DbSchemaResponse');

function statementsOf(
  body: Pick<DbExecuteRequest, 'sql' | 'params' | 'statements'>,
): UserSqlStatement[] {
  return body.statements ?? [{ sql: body.sql ?? '', params: body.params }];
}

/** A refusal from the object, as answered: 409 over quota, 400 for anything SQLite refused. */
function refusalBody(failure: UserSqlFailure, charged: boolean) {
  const after = charged ? 'The payment is recorded as owed to you.' : 'Nothing was charged.';
  return {
    code: failure.code,
    message: `${failure.message}${failure.message.endsWith('.') ? '' : '.'} ${after}`,
    ...(failure.statement === undefined ? {} : { statement: failure.statement }),
  };
}

function executeRefusal(c: Context<AppEnv>, failure: UserSqlFailure, charged: boolean) {
  const body = refusalBody(failure, charged);
  return failure.code === 'quota_exceeded' ? c.json(body, 409) : c.json(body, 400);
}

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

export const dbQueryRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/db/query',
    tags: ['Storage'],
    summary: 'Query your SQL tables',
    description: `One read-only statement (SELECT, VALUES or WITH ... SELECT) over your own tables in your storage object's SQLite, with bound parameters; at most ${db.maxRows} rows. Charged only when it succeeds.`,
    request: { body: { required: true, content: json(DbQueryRequestSchema) } },
    responses: {
      200: { description: 'The rows', content: json(DbQueryResponseSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { sql, params, maxRows } = c.req.valid('json');
    const result = await storeOf(c).queryUserSql({
      sql,
      params,
      maxRows: maxRows ?? db.maxRows,
      maxResultBytes: db.maxResultBytes,
    });
    if (!result.ok) return c.json(refusalBody(result, false), 400);
    const { columns, rows, rowCount, truncated } = result;
    return c.json({ columns, rows, rowCount, truncated }, 200);
  },
});

export const dbExecuteRoute = defineRoute({
  route: createRoute({
    method: 'post',
    path: '/storage/db/execute',
    tags: ['Storage'],
    summary: 'Change your SQL tables',
    description: `CREATE TABLE/INDEX/VIEW/TRIGGER, ALTER, DROP, INSERT, REPLACE, UPDATE or DELETE on your own tables: one statement (\`sql\`), or up to ${db.maxBatchStatements} in one transaction (\`statements\`). Settled before it runs; a statement SQLite refuses, or one that would take your storage database past ${dbQuota.databaseBytes / 1024 / 1024} MiB or your tables past ${dbQuota.tables}, is refused first and charges nothing.`,
    request: { body: { required: true, content: json(DbExecuteRequestSchema) } },
    responses: {
      200: { description: 'Rows affected', content: json(DbExecuteResponseSchema) },
      409: {
        description: 'Over your SQL quota (quota_exceeded); nothing was changed',
        content: json(ErrorSchema),
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD_UPFRONT,
  precheck: async (c, payment) => {
    const body = c.req.valid('json' as never) as DbExecuteRequest;
    const { network, payer } = identityOf(payment);
    let dryRun: Awaited<ReturnType<DurableObjectStub<PayerStore>['executeUserSql']>>;
    try {
      dryRun = await payerStore(c.env, network, payer).executeUserSql({
        statements: statementsOf(body),
        quota: QUOTA,
        dryRun: true,
      });
    } catch (error) {
      // The gate releases the claim only for a refusal it is handed, not for an exception.
      console.error('storage/db dry run failed', error);
      return c.json(
        {
          code: 'storage_unavailable',
          message:
            'Your storage object could not try the statements (it may be overloaded, or they ran out of time); nothing was charged. Retry, or send lighter statements.',
        },
        503,
      );
    }
    return dryRun.ok ? null : executeRefusal(c, dryRun, false);
  },
  handler: async (c) => {
    const body = c.req.valid('json');
    const result = await storeOf(c).executeUserSql({
      statements: statementsOf(body),
      quota: QUOTA,
    });
    if (!result.ok) return executeRefusal(c, result, true);
    const { rowsAffected, lastRowId, results } = result;
    return c.json(
      { rowsAffected, ...(lastRowId === undefined ? {} : { lastRowId }), results },
      200,
    );
  },
});

export const dbSchemaRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/db/schema',
    tags: ['Storage'],
    summary: 'Your SQL tables and columns',
    description:
      'The tables you created, with their CREATE statement and columns (never the system tables of your storage object). Charged only when it succeeds.',
    responses: {
      200: { description: 'Your tables', content: json(DbSchemaResponseSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => c.json({ tables: await storeOf(c).describeUserTables() }, 200),
});

export const dbRoutes = [dbQueryRoute, dbExecuteRoute, dbSchemaRoute];
