/**
 * What makes two paid requests "the same request" for idempotent retries and collection: method,
 * canonical path, query (without the token preference, which does not change the result), body,
 * payer and the accepted requirement.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { PaymentRequirements } from './protocol';
import { canonicalJson } from './requirements';

export async function hashPaidRequest(
  c: Context<AppEnv>,
  payer: string,
  requirement: PaymentRequirements,
): Promise<string> {
  const url = new URL(c.req.url);
  const query = [...url.searchParams.entries()]
    .filter(([name]) => name !== 'tokenType')
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  // Validators have read the body already; Hono serves this from its cache (JSON bodies are
  // re-serialised, which also makes whitespace irrelevant).
  const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
  const material = JSON.stringify([
    c.req.method,
    c.req.path,
    query,
    await sha256Hex(body),
    payer,
    canonicalJson(requirement),
  ]);
  return sha256Hex(material);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
