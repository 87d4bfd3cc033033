/**
 * Copies Scalar's standalone API reference bundle into the Worker's static assets
 * (`public/vendor/scalar/standalone.js`, git-ignored), so `GET /docs` loads its script from our own
 * origin and works with no internet access: never from a CDN. Run by `npm install` (the
 * `postinstall` script), so a clean clone has it before `wrangler dev`, `wrangler deploy` or the
 * tests. The version served is the one pinned in package.json (`@scalar/api-reference`).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Served at `/vendor/scalar/standalone.js`, the URL `src/routes/discovery/docs.ts` gives Scalar. */
const SCALAR_BUNDLE_TARGET = join(REPO_ROOT, 'public', 'vendor', 'scalar', 'standalone.js');

function copyScalarBundle(): void {
  // The package exports the bundle under this subpath.
  const source = createRequire(import.meta.url).resolve(
    '@scalar/api-reference/browser/standalone.js',
  );
  mkdirSync(dirname(SCALAR_BUNDLE_TARGET), { recursive: true });
  copyFileSync(source, SCALAR_BUNDLE_TARGET);
  const size = statSync(SCALAR_BUNDLE_TARGET).size;
  console.log(
    `Scalar bundle: ${relative(REPO_ROOT, source)} -> ${relative(REPO_ROOT, SCALAR_BUNDLE_TARGET)} (${size} bytes)`,
  );
}

copyScalarBundle();
