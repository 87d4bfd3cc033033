/**
 * What the discovery documents share: the service's name and version, the request's origin, the
 * configuration (absent when payments are not configured), and a cache so that each document is
 * built once per isolate, route list, origin and configuration rather than on every request.
 */
import type { Context } from 'hono';
import pkg from '../../package.json';
import { getServiceConfig, type ServiceConfig } from '../config';
import type { AppEnv } from '../env';
import type { ApiRoute } from '../routes/registry';

export const SERVICE_NAME = 'x402 Stacks API';
export const SERVICE_VERSION: string = pkg.version;
export const SERVICE_SUMMARY =
  'A pay-per-call HTTP API on Stacks: hashing, Stacks decoding and verification, per-payer storage (KV, pastes, locks, queues, SQL, semantic memory) and LLM inference, each call paid with x402 v2 in STX, sBTC or USDCx. No accounts and no API keys.';

export interface DiscoveryContext {
  routes: readonly ApiRoute[];
  /** `https://api.example.com`: every URL in a document is absolute, on the origin asked. */
  origin: string;
  config?: ServiceConfig;
  /** Why payments are off, when `config` is absent. */
  problems: string[];
}

export function discoveryContext(c: Context<AppEnv>): DiscoveryContext {
  const routes = c.get('routes');
  if (!routes) throw new Error('discovery route mounted outside createApp: no route registry');
  const result = getServiceConfig(c.env);
  return {
    routes,
    origin: new URL(c.req.url).origin,
    config: result.ok ? result.config : undefined,
    problems: result.ok ? [] : result.problems,
  };
}

/** Enough distinct origins for every hostname a deployment answers on; older ones are dropped. */
const MAX_ENTRIES_PER_REGISTRY = 32;
const built = new WeakMap<readonly ApiRoute[], Map<string, unknown>>();

/** The whole configuration, so that any setting a document might show gives a fresh build. */
function configKey(config: ServiceConfig | undefined): string {
  if (!config) return 'unconfigured';
  return JSON.stringify(config, (_, value) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

/** The document `kind` for this context, built on first use. */
export function cachedDocument<T>(kind: string, context: DiscoveryContext, build: () => T): T {
  let documents = built.get(context.routes);
  if (!documents) {
    documents = new Map();
    built.set(context.routes, documents);
  }
  const key = `${kind} ${context.origin} ${configKey(context.config)}`;
  if (documents.has(key)) return documents.get(key) as T;
  const document = build();
  if (documents.size >= MAX_ENTRIES_PER_REGISTRY) {
    const oldest = documents.keys().next().value;
    if (oldest !== undefined) documents.delete(oldest);
  }
  documents.set(key, document);
  return document;
}

/** Cache-Control for documents that change only with a deployment or its configuration. */
export const DOCUMENT_CACHE_CONTROL = 'public, max-age=300';
