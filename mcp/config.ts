/**
 * The MCP server's configuration, read once from the environment at start-up (a bad value stops
 * the server with a sentence saying which variable to fix, never a failure on a tool call).
 */
import {
  parseTokenType,
  type StacksNetworkName,
  TOKEN_TYPES,
  type TokenType,
} from '../src/stacks/tokens';

/** Where the paying key comes from. */
export type WalletSource =
  | { type: 'private_key'; privateKey: string }
  | { type: 'mnemonic'; mnemonic: string }
  /** Nothing configured, against a local API: the devnet's `wallet_1` (public test keys). */
  | { type: 'devnet_default' };

export interface McpConfig {
  network: StacksNetworkName;
  /** Base URL of the paid API, for `path` calls, `/x402.json` and `/payment-status/{id}`. */
  apiUrl: string;
  /** Stacks API for the payer's nonce and the fee rate. */
  stacksApiUrl: string;
  wallet: WalletSource;
  /** Most one call may cost, per token, in atomic units. */
  maxPerCall: Record<TokenType, bigint>;
  /** Most this server pays over its life (one MCP session), per token, in atomic units. */
  maxPerSession: Record<TokenType, bigint>;
  /** How long a paid call waits after a 202 for its answer before returning it as pending. */
  deliveryTimeoutMs: number;
}

export class McpConfigError extends Error {
  override readonly name = 'McpConfigError';
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8787';
const LOCAL_STACKS_API_URL = 'http://127.0.0.1:3999';
const HIRO_API_URL: Record<StacksNetworkName, string> = {
  mainnet: 'https://api.hiro.so',
  testnet: 'https://api.testnet.hiro.so',
};
/** 1 STX, 0.00002 BTC, 1 USDCx per call: far above any price of this API, small if abused. */
export const DEFAULT_MAX_PER_CALL: Record<TokenType, bigint> = {
  STX: 1_000_000n,
  sBTC: 2_000n,
  USDCx: 1_000_000n,
};
/** Ten times the per-call caps over a session. */
export const DEFAULT_MAX_PER_SESSION: Record<TokenType, bigint> = {
  STX: 10_000_000n,
  sBTC: 20_000n,
  USDCx: 10_000_000n,
};
const DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new McpConfigError(`${name} must be an http(s) URL, not ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new McpConfigError(`${name} must be an http(s) URL, not ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, '');
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * Per-token amounts as `STX=1000,sBTC=5,USDCx=1000` (atomic units); tokens left out keep their
 * default.
 */
export function parseTokenCaps(
  name: string,
  raw: string | undefined,
  defaults: Record<TokenType, bigint>,
): Record<TokenType, bigint> {
  const caps = { ...defaults };
  if (raw === undefined) return caps;
  for (const entry of raw.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*([0-9]+)\s*$/.exec(entry);
    const token = match ? parseTokenType(match[1]) : undefined;
    if (!match || token === undefined) {
      throw new McpConfigError(
        `${name} must look like STX=1000,sBTC=5,USDCx=1000 (atomic units of ${TOKEN_TYPES.join(', ')}); got ${JSON.stringify(entry.trim())}`,
      );
    }
    caps[token] = BigInt(match[2]);
  }
  return caps;
}

function walletSource(env: Env, apiUrl: string, network: StacksNetworkName): WalletSource {
  const privateKey = value(env, 'X402_PRIVATE_KEY');
  const mnemonic = value(env, 'X402_MNEMONIC');
  if (privateKey !== undefined && mnemonic !== undefined) {
    throw new McpConfigError('set X402_PRIVATE_KEY or X402_MNEMONIC, not both');
  }
  if (privateKey !== undefined) {
    if (!/^(0x)?[0-9a-fA-F]{64}(01)?$/.test(privateKey)) {
      throw new McpConfigError('X402_PRIVATE_KEY must be 64 hex digits (66 with the 01 suffix)');
    }
    return { type: 'private_key', privateKey: privateKey.replace(/^0x/, '') };
  }
  if (mnemonic !== undefined) return { type: 'mnemonic', mnemonic };
  // The devnet keys are public: paying with them anywhere but a local API would be a mistake.
  if (network !== 'testnet' || !isLoopbackUrl(apiUrl)) {
    throw new McpConfigError(
      `set X402_MNEMONIC or X402_PRIVATE_KEY: the devnet wallet is used only against a local API on testnet (X402_API_URL is ${apiUrl})`,
    );
  }
  return { type: 'devnet_default' };
}

export function readMcpConfig(env: Env): McpConfig {
  const network = value(env, 'X402_NETWORK') ?? 'testnet';
  if (network !== 'testnet' && network !== 'mainnet') {
    throw new McpConfigError(`X402_NETWORK must be testnet or mainnet, not ${network}`);
  }
  const apiUrl = httpUrl('X402_API_URL', value(env, 'X402_API_URL') ?? DEFAULT_API_URL);
  const stacksApiRaw = value(env, 'X402_STACKS_API_URL');
  const stacksApiUrl =
    stacksApiRaw !== undefined
      ? httpUrl('X402_STACKS_API_URL', stacksApiRaw)
      : isLoopbackUrl(apiUrl)
        ? LOCAL_STACKS_API_URL
        : HIRO_API_URL[network];
  const timeoutRaw = value(env, 'X402_DELIVERY_TIMEOUT_MS');
  if (timeoutRaw !== undefined && !/^[0-9]+$/.test(timeoutRaw)) {
    throw new McpConfigError('X402_DELIVERY_TIMEOUT_MS must be a whole number of milliseconds');
  }
  return {
    network,
    apiUrl,
    stacksApiUrl,
    wallet: walletSource(env, apiUrl, network),
    maxPerCall: parseTokenCaps(
      'X402_MAX_PER_CALL',
      value(env, 'X402_MAX_PER_CALL'),
      DEFAULT_MAX_PER_CALL,
    ),
    maxPerSession: parseTokenCaps(
      'X402_MAX_PER_SESSION',
      value(env, 'X402_MAX_PER_SESSION'),
      DEFAULT_MAX_PER_SESSION,
    ),
    deliveryTimeoutMs:
      timeoutRaw === undefined ? DEFAULT_DELIVERY_TIMEOUT_MS : Number.parseInt(timeoutRaw, 10),
  };
}
