/**
 * Work that follows the answer: handed to the Workers runtime (`ctx.waitUntil`), which keeps the
 * invocation alive for it (up to 30 s after the response) without delaying the response.
 */
import type { Context } from 'hono';

/**
 * Runs `work` after the answer; where there is no execution context (a test calling
 * `app.request` without one, where Hono's `executionCtx` getter throws) it is awaited instead.
 * A failure is logged, never thrown: the answer does not depend on it.
 */
export async function afterAnswer(c: Context, work: Promise<unknown>, what: string): Promise<void> {
  let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  const logged = work.catch((error) => console.error(`${what} failed after the answer`, error));
  if (ctx) ctx.waitUntil(logged);
  else await logged;
}

/**
 * Work that ends with a streamed answer (recording what the stream came to): handed to
 * `ctx.waitUntil`, so the invocation lives until it is done. Where there is no execution context
 * it is left to run, never awaited: it waits for the stream, which waits for the answer.
 */
export function untilStreamEnds(c: Context, work: Promise<unknown>, what: string): void {
  const logged = work.catch((error) => console.error(`${what} failed after the answer`, error));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    // No execution context (a test calling `app.request` without one).
  }
}
