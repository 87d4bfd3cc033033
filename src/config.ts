/**
 * Service configuration, read from Worker vars and validated once per isolate.
 *
 * Fail closed (issue 2): a missing or malformed payTo, network or price never means "free". The
 * problems are kept and paid routes answer 503 `service_misconfigured`; free routes keep working.
 */
import { AddressVersion, createAddress, validateStacksAddress } from '@stacks/transactions';
import { type StacksNetworkName, TOKEN_TYPES, type TokenType } from './stacks/tokens';

export type SettlementMode = 'node';

export interface ServiceConfig {
  environment: string;
  network: StacksNetworkName;
  payTo: string;
  settlementMode: SettlementMode;
  stacksApiUrl: string;
  /** Atomic price per token for the `standard` tier. */
  standardPrices: Record<TokenType, bigint>;
  maxTimeoutSeconds: number;
  /** Upper bound on the byte length of a payment transaction we are willing to decode. */
  maxTransactionBytes: number;
  /** How long a broadcast may take before we give up waiting on the node. */
  broadcastTimeoutMs: number;
}

export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; problems: string[] };

export interface ConfigVars {
  ENVIRONMENT?: string;
  NETWORK?: string;
  PAY_TO?: string;
  SETTLEMENT_MODE?: string;
  STACKS_API_URL?: string;
  PRICE_STANDARD_STX?: string;
  PRICE_STANDARD_SBTC?: string;
  PRICE_STANDARD_USDCX?: string;
}

const PRICE_VARS: Record<TokenType, keyof ConfigVars> = {
  STX: 'PRICE_STANDARD_STX',
  sBTC: 'PRICE_STANDARD_SBTC',
  USDCx: 'PRICE_STANDARD_USDCX',
};

const ATOMIC_AMOUNT = /^[1-9][0-9]{0,30}$/;

const STANDARD_VERSIONS: Record<StacksNetworkName, readonly number[]> = {
  mainnet: [AddressVersion.MainnetSingleSig, AddressVersion.MainnetMultiSig],
  testnet: [AddressVersion.TestnetSingleSig, AddressVersion.TestnetMultiSig],
};

/** True when `address` is a valid standard principal (checksum included) of `network`. */
export function isStandardAddressOf(address: string, network: StacksNetworkName): boolean {
  if (!validateStacksAddress(address)) return false;
  return STANDARD_VERSIONS[network].includes(createAddress(address).version);
}

export function parseServiceConfig(vars: ConfigVars): ConfigResult {
  const problems: string[] = [];
  const network = vars.NETWORK?.trim();
  if (network !== 'mainnet' && network !== 'testnet') {
    problems.push(
      `NETWORK must be "mainnet" or "testnet" (got ${JSON.stringify(vars.NETWORK ?? null)})`,
    );
  }
  const payTo = vars.PAY_TO?.trim() ?? '';
  if (network === 'mainnet' || network === 'testnet') {
    if (!isStandardAddressOf(payTo, network)) {
      problems.push(
        `PAY_TO must be a valid ${network} standard address (got ${JSON.stringify(payTo)})`,
      );
    }
  }
  const settlementMode = vars.SETTLEMENT_MODE?.trim() || 'node';
  if (settlementMode !== 'node') {
    problems.push(`SETTLEMENT_MODE must be "node" (got ${JSON.stringify(settlementMode)})`);
  }
  const stacksApiUrl = (vars.STACKS_API_URL?.trim() ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(stacksApiUrl) || !URL.canParse(stacksApiUrl)) {
    problems.push(
      `STACKS_API_URL must be an http(s) URL (got ${JSON.stringify(vars.STACKS_API_URL ?? null)})`,
    );
  }
  const standardPrices = {} as Record<TokenType, bigint>;
  for (const token of TOKEN_TYPES) {
    const name = PRICE_VARS[token];
    const raw = vars[name]?.trim() ?? '';
    if (!ATOMIC_AMOUNT.test(raw)) {
      problems.push(
        `${name} must be a positive integer amount in atomic units (got ${JSON.stringify(vars[name] ?? null)})`,
      );
    } else {
      standardPrices[token] = BigInt(raw);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      environment: vars.ENVIRONMENT?.trim() || 'development',
      network: network as StacksNetworkName,
      payTo,
      settlementMode: 'node',
      stacksApiUrl,
      standardPrices,
      maxTimeoutSeconds: 300,
      maxTransactionBytes: 4096,
      broadcastTimeoutMs: 10_000,
    },
  };
}

const cache = new WeakMap<object, ConfigResult>();

/** Parses the config once per `env` object (the same object for every request of an isolate). */
export function getServiceConfig(env: ConfigVars): ConfigResult {
  let result = cache.get(env);
  if (!result) {
    result = parseServiceConfig(env);
    if (!result.ok) console.error(`paid routes disabled: ${result.problems.join('; ')}`);
    cache.set(env, result);
  }
  return result;
}
