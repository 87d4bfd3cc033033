/**
 * Stands in for zod's `locales/index.js` in the deployed bundle (wrangler.toml `[alias]`). zod
 * re-exports every translation of its error messages as `z.locales` and `z.core.locales` (about
 * 260 KiB minified, a quarter of the Worker); nothing here reads them, so a cold isolate should
 * not load them. The English messages zod uses by default come from `locales/en.js`, which zod
 * imports directly and stays. Tests (the vitest pool) run with the real module.
 */
export {};
