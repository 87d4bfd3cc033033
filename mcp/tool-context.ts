/** What every tool works with: the configuration, the paying client and a plain fetch. */
import type { FetchFunction, X402Client } from '../client';
import type { McpConfig } from './config';
import type { SpendingCaps } from './price-options';

export interface ToolContext {
  config: McpConfig;
  /** Pays within `config.maxPerCall` and `config.maxPerSession` (its budget). */
  client: X402Client;
  /** For free requests: probes, `/x402.json`, `/payment-status/{id}`. */
  fetch: FetchFunction;
}

export function spendingCaps({ config, client }: ToolContext): SpendingCaps {
  return {
    network: config.network,
    maxPerCall: config.maxPerCall,
    maxPerSession: config.maxPerSession,
    spent: client.spent(),
  };
}
