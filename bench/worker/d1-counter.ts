/**
 * A D1 binding that counts its round trips to the database: each statement executed on its own
 * (`first`, `run`, `all`, `raw`), each `batch` (one trip for all its statements), each `exec`.
 * Everything else passes through unchanged. For the bench only.
 */
const STATEMENT_TRIPS = new Set(['first', 'run', 'all', 'raw']);
const DATABASE_TRIPS = new Set(['batch', 'exec']);

function countStatement<T extends object>(statement: T, counter: { count: number }): T {
  return new Proxy(statement, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (STATEMENT_TRIPS.has(String(property))) {
        return (...args: unknown[]) => {
          counter.count++;
          return value.apply(target, args);
        };
      }
      // bind() answers another statement, which counts in turn.
      if (property === 'bind') {
        return (...args: unknown[]) => countStatement(value.apply(target, args), counter);
      }
      return value.bind(target);
    },
  });
}

export function countD1RoundTrips(db: D1Database, counter: { count: number }): D1Database {
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'prepare') {
        return (query: string) => countStatement(target.prepare(query), counter);
      }
      if (DATABASE_TRIPS.has(String(property))) {
        return (...args: unknown[]) => {
          counter.count++;
          return value.apply(target, args);
        };
      }
      if (property === 'withSession') {
        return (...args: unknown[]) => countD1RoundTrips(value.apply(target, args), counter);
      }
      return value.bind(target);
    },
  });
}
