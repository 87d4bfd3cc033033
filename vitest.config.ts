import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - `worker`: unit and integration tests inside workerd (the real runtime), with real KV, D1 and
 *   Durable Objects from Miniflare, configured from wrangler.toml.
 * - `node`: the devnet, the Workers AI and OpenRouter stand-ins, the client and the end-to-end
 *   tests that start real processes.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            main: './src/index.ts',
            remoteBindings: false,
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { TEST_MIGRATIONS: await readD1Migrations('./migrations') },
            },
          })),
        ],
        ssr: {
          optimizeDeps: { include: ['c32check'] },
        },
        test: {
          name: 'worker',
          include: ['src/**/*.test.ts', 'test/worker/**/*.test.ts'],
          setupFiles: ['./test/worker/apply-migrations.ts'],
          deps: { optimizer: { ssr: { enabled: true, include: ['c32check'] } } },
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'devnet/**/*.test.ts',
            'ai-standin/**/*.test.ts',
            'openrouter-standin/**/*.test.ts',
            'client/**/*.test.ts',
            'mcp/**/*.test.ts',
            'test/e2e/**/*.test.ts',
          ],
          // One file at a time: e2e files each start a devnet, stand-ins and `wrangler dev`, and
          // on 2 cores several at once starve each other past any start-up timeout.
          fileParallelism: false,
          testTimeout: 60_000,
          // e2e files start several processes (devnet, stand-ins, wrangler dev) in parallel on 2 cores.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
