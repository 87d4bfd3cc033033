/**
 * `GET /health`: the configuration is checked on every call, the D1 ledger at most once every
 * LEDGER_CHECK_INTERVAL_MS per isolate (a query per call made it three times slower than `GET /`).
 * Each test passes a D1 binding of its own, so each starts with no cached check.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEDGER_CHECK_INTERVAL_MS } from '../../src/routes/info/health';
import { testApp } from './support/app';

const HEALTHY = { status: 'ok', checks: { config: 'ok', ledger: 'ok' } };

/** `env.DB` behind a proxy that records the SQL of every statement prepared (or fails them all). */
function countingDb(options: { failing?: boolean } = {}) {
  const queries: string[] = [];
  const record = (sql: string) => {
    queries.push(sql);
    if (options.failing) throw new Error('D1_ERROR: the database is unavailable');
  };
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === 'prepare')
        return (sql: string) => {
          record(sql);
          return target.prepare(sql);
        };
      if (property === 'exec')
        return (sql: string) => {
          record(sql);
          return target.exec(sql);
        };
      if (property === 'batch')
        return (statements: D1PreparedStatement[]) => {
          record(`batch of ${statements.length}`);
          return target.batch(statements);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { bindings: { ...env, DB: db } as Env, queries };
}

async function health(bindings: Env) {
  const res = await testApp().request('/health', {}, bindings);
  return { status: res.status, body: await res.json() };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /health', () => {
  it('answers 200 when the configuration is valid and the ledger answers', async () => {
    const { bindings, queries } = countingDb();
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    expect(queries).toEqual(['SELECT 1 AS one']);
  });

  it('makes one D1 query for two consecutive calls', async () => {
    const { bindings, queries } = countingDb();
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    expect(queries).toEqual(['SELECT 1 AS one']);
  });

  it(`checks the ledger again once ${LEDGER_CHECK_INTERVAL_MS / 1000} s have passed`, async () => {
    const { bindings, queries } = countingDb();
    const start = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(start);
    await health(bindings);
    now.mockReturnValue(start + LEDGER_CHECK_INTERVAL_MS - 1);
    await health(bindings);
    expect(queries).toHaveLength(1);
    now.mockReturnValue(start + LEDGER_CHECK_INTERVAL_MS);
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    expect(queries).toEqual(['SELECT 1 AS one', 'SELECT 1 AS one']);
  });

  it('answers 503 with the ledger unavailable when D1 fails, and keeps that answer too', async () => {
    const { bindings, queries } = countingDb({ failing: true });
    const degraded = {
      status: 503,
      body: { status: 'degraded', checks: { config: 'ok', ledger: 'unavailable' } },
    };
    expect(await health(bindings)).toEqual(degraded);
    expect(await health(bindings)).toEqual(degraded);
    expect(queries).toEqual(['SELECT 1 AS one']);
  });

  it('checks the configuration on every call, without querying the ledger again', async () => {
    const { bindings, queries } = countingDb();
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    const broken = { ...bindings, PAY_TO: '' } as Env;
    expect(await health(broken)).toEqual({
      status: 503,
      body: { status: 'degraded', checks: { config: 'misconfigured', ledger: 'ok' } },
    });
    expect(await health(bindings)).toEqual({ status: 200, body: HEALTHY });
    expect(queries).toEqual(['SELECT 1 AS one']);
  });
});
