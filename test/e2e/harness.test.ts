/**
 * The end-to-end harness itself: the devnet and the Worker start as real processes on ports of
 * their own, answer HTTP, and `stop()` leaves nothing behind (no process, no state directory).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGroupAlive } from '../../scripts/process-group';
import { startDevnetProcess, startWorkerProcess } from '../support';

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('e2e harness', () => {
  it('starts the devnet and the Worker, and stops both completely', async () => {
    const devnet = await startDevnetProcess({ blockTimeMs: 500 });
    let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    try {
      worker = await startWorkerProcess({ vars: { STACKS_API_URL: devnet.url } });

      const info = await fetch(`${devnet.url}/v2/info`);
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ network_id: 2147483648 });

      const home = await fetch(`${worker.url}/`);
      await home.body?.cancel();
      expect(home.status).toBeLessThan(500);
      expect(existsSync(worker.stateDir)).toBe(true);
    } finally {
      await worker?.stop();
      await devnet.stop();
    }

    for (const pid of [devnet.pid, worker.pid]) {
      expect(isProcessAlive(pid)).toBe(false);
      expect(isGroupAlive(pid)).toBe(false);
    }
    expect(existsSync(worker.stateDir)).toBe(false);
    await expect(fetch(`${worker.url}/`)).rejects.toThrow();
    await expect(fetch(`${devnet.url}/v2/info`)).rejects.toThrow();
  });
});
