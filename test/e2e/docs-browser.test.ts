/**
 * `GET /docs` in a real browser with no internet: Debian's Chromium (headless, through
 * playwright-core) opens the page on `wrangler dev`, every request to another origin than the
 * Worker's is blocked and recorded, and the page must still render a paid operation with its price.
 * The prices are set to values found nowhere else (`--var`), so the text seen on the page can only
 * come from this Worker's configuration, through `GET /openapi.json`.
 *
 * Without /usr/bin/chromium the test fails in CI (`CI` set; .ci/run installs it) and is skipped,
 * with the reason printed, elsewhere.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess, type WorkerProcess } from '../support';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Prices no other configuration uses, in atomic units. */
const PRICES = {
  PRICE_STANDARD_STX: '1234',
  PRICE_STANDARD_SBTC: '3',
  PRICE_STANDARD_USDCX: '1500',
};
/** Bounds for the page to load and render: a 3.5 MB script on a loaded 2-core machine. */
const RENDER_WAIT_MS = 90_000;

const chromiumMissing = !existsSync(CHROMIUM);
const skip = chromiumMissing && !process.env.CI;
if (skip) {
  console.warn(
    `docs-browser.test.ts skipped: ${CHROMIUM} is missing (install Debian's chromium; in CI, where CI is set, this test fails instead).`,
  );
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { description?: string; summary?: string }>>;
}

describe.skipIf(skip)('GET /docs in headless Chromium, offline', () => {
  let worker: WorkerProcess | undefined;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  /** Every URL the page tried to load from another origin (all blocked). */
  const outside: string[] = [];
  /** Every URL the page loaded from the Worker. */
  const local: string[] = [];

  beforeAll(async () => {
    if (chromiumMissing) {
      throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run).`);
    }
    worker = await startWorkerProcess({ vars: PRICES });
    const origin = new URL(worker.url).origin;
    userDataDir = await mkdtemp(join(tmpdir(), 'x402-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) {
        local.push(url);
        return route.continue();
      }
      outside.push(url);
      return route.abort('blockedbyclient');
    });
  });

  afterAll(async () => {
    await context?.close();
    await worker?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('renders POST /hashing/sha256 with its price, loading nothing from another host', async () => {
    if (!worker || !context) throw new Error('not started');

    // The price sentence the OpenAPI document gives the operation, in the configured prices.
    const openapi = (await (await fetch(`${worker.url}/openapi.json`)).json()) as OpenApiDocument;
    const operation = openapi.paths['/hashing/sha256']?.post;
    expect(operation?.summary).toBe('SHA-256 hash');
    const priceLine = operation?.description?.split('\n').find((line) => line.startsWith('Price:'));
    expect(priceLine).toBeDefined();
    expect(priceLine).toContain('1234 microSTX');
    expect(priceLine).toContain('3 sats');
    expect(priceLine).toContain('1500 microUSDCx');

    const page = context.pages()[0] ?? (await context.newPage());
    const response = await page.goto(`${worker.url}/docs#tag/hashing/POST/hashing/sha256`);
    expect(response?.status()).toBe(200);

    // Scalar's section for the operation, found by its slug; heading and price rendered in it.
    const section = page.locator('section[id$="tag/hashing/POST/hashing/sha256"]');
    await section
      .getByRole('heading', { name: 'SHA-256 hash' })
      .waitFor({ state: 'visible', timeout: RENDER_WAIT_MS });
    await section
      .getByText(priceLine ?? '', { exact: true })
      .waitFor({ state: 'visible', timeout: RENDER_WAIT_MS });
    expect(await section.getByText(priceLine ?? '', { exact: true }).count()).toBe(1);

    // The script and the document came from the Worker itself; nothing was asked of another host.
    const origin = new URL(worker.url).origin;
    expect(local).toContain(`${origin}/docs`);
    expect(local).toContain(`${origin}/vendor/scalar/standalone.js`);
    expect(local).toContain(`${origin}/openapi.json`);
    expect(outside).toEqual([]);
  }, 180_000);
});
