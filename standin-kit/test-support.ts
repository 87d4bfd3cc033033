/** What tests of a stand-in over real HTTP share. */
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface TestableStandin {
  faults: { clear(): void };
  close(): Promise<void>;
}

/**
 * The stand-in of a test file: started (on a free port) before its tests, closed after them,
 * faults cleared after each test. The object answers for the running stand-in from `beforeAll` on.
 */
export function standinForTests<Standin extends TestableStandin>(
  start: () => Promise<Standin>,
): Standin {
  let started: Standin | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterEach(() => running().faults.clear());
  afterAll(async () => {
    await started?.close();
  });
  const running = (): Standin => {
    if (!started) throw new Error('the stand-in starts in beforeAll: use it inside tests');
    return started;
  };
  return new Proxy({} as Standin, {
    get(_, property) {
      const value = Reflect.get(running(), property);
      return typeof value === 'function' ? value.bind(running()) : value;
    },
  });
}
