/** How the discovery routes answer: their documents with cache headers, built once (see cachedDocument). */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  cachedDocument,
  DOCUMENT_CACHE_CONTROL,
  discoveryContext,
  type DiscoveryContext,
} from '../../discovery/service';
import type { AppEnv } from '../../env';

export const TAGS = ['Discovery'];

/** Any JSON object: these documents have schemas of their own (OpenAPI 3.1, x402, A2A). */
export const JsonDocumentSchema = z.object({}).passthrough();

export const jsonContent = (description: string) => ({
  200: { description, content: { 'application/json': { schema: JsonDocumentSchema } } },
});

export const markdownContent = (description: string) => ({
  200: { description, content: { 'text/markdown': { schema: z.string() } } },
});

/**
 * A document as a plain Response: the serialised JSON is what is cached, so the handler cannot use
 * Hono's typed `c.json` (routes cast the answer; its shape is the builder's return type).
 */
export function answerJson<T>(
  c: Context<AppEnv>,
  kind: string,
  build: (context: DiscoveryContext) => T,
): Response {
  const context = discoveryContext(c);
  const body = JSON.stringify(cachedDocument(kind, context, () => build(context)));
  return new Response(body, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': DOCUMENT_CACHE_CONTROL,
    },
  });
}

export function answerMarkdown(
  c: Context<AppEnv>,
  kind: string,
  build: (context: DiscoveryContext) => string,
): Response {
  const context = discoveryContext(c);
  return new Response(
    cachedDocument(kind, context, () => build(context)),
    {
      headers: {
        'content-type': 'text/markdown; charset=utf-8',
        'cache-control': DOCUMENT_CACHE_CONTROL,
      },
    },
  );
}
