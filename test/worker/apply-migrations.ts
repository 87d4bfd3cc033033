import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach } from 'vitest';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    }
  }
}

// Each test file has its own storage; tests within a file share it. applyD1Migrations only applies
// what is missing, and every test starts from an empty ledger (every table of it).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

beforeEach(async () => {
  await env.DB.batch(
    [
      'payments',
      'payment_events',
      'payment_responses',
      'payment_identifiers',
      'payer_flags',
      'inference_usage',
    ].map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
  );
});
