/**
 * Service configuration, read from Worker vars and validated once per isolate.
 *
 * Fail closed: a missing or malformed payTo, network, price or settlement setting never means
 * "free". The problems are kept and paid routes answer 503 `service_misconfigured`; free routes
 * keep working.
 */
import {
  AddressVersion,
  createAddress,
  getAddressFromPrivateKey,
  validateStacksAddress,
} from '@stacks/transactions';
import { type StacksNetworkName, TOKEN_TYPES, type TokenType } from './stacks/tokens';

/**
 * Upper bound on a payment transaction's bytes: a STX transfer or a SIP-010 `transfer` with its one
 * post-condition and a 34-byte memo is a few hundred bytes. The payment header's size bound
 * (src/payment/header-codec.ts `HEADER_LIMITS`) is derived from this.
 */
export const MAX_TRANSACTION_BYTES = 4096;

/** `node`: broadcast to STACKS_API_URL ourselves; `facilitator`: POST /settle to FACILITATOR_URL. */
export type SettlementMode = 'node' | 'facilitator';
/** DESIGN section 5: deliver once the transaction is in the mempool, or only once it is confirmed. */
export type DeliveryMode = 'mempool' | 'confirmed';

/**
 * Who sponsors a sponsored payment (DESIGN section 4 item 5), if anyone:
 * - `worker`: SETTLEMENT_MODE `node` with SPONSOR_PRIVATE_KEY set: the Worker signs as sponsor,
 *   paying max(SPONSOR_FEE_MICROSTX, 1 µSTX per byte), never more than SPONSOR_MAX_FEE_MICROSTX;
 * - `facilitator`: SETTLEMENT_MODE `facilitator` with FACILITATOR_SPONSORS `true`: the payload
 *   goes to the facilitator unchanged and it sponsors (a sponsor relay).
 * Absent: sponsored payments are refused with `sponsored_not_allowed`.
 */
export type SponsorshipConfig =
  | {
      mode: 'worker';
      /** Hex secp256k1 key (64 digits, or 66 with the 01 compression suffix). A secret. */
      privateKey: string;
      /** The sponsor's standard address on the configured network. */
      address: string;
      feeMicroStx: bigint;
      maxFeeMicroStx: bigint;
    }
  | { mode: 'facilitator' };

export interface ServiceConfig {
  environment: string;
  network: StacksNetworkName;
  payTo: string;
  settlementMode: SettlementMode;
  stacksApiUrl: string;
  /** Set when settlementMode is `facilitator`. */
  facilitatorUrl?: string;
  /** Atomic price per token for the `standard` tier. */
  standardPrices: Record<TokenType, bigint>;
  deliveryMode: DeliveryMode;
  /** How long a request waits for confirmation in `confirmed` delivery before answering 202. */
  confirmationWaitMs: number;
  /** How long the tracker follows a transaction before calling it `not_found`. */
  trackingDeadlineMs: number;
  /**
   * How many blocks a delivered payment may wait behind a gap in its payer's nonces (a lower
   * nonce neither executed nor pending) before it is called `failed` and its payer marked.
   */
  nonceGapMaxBlocks: number;
  /** Whether a paid request must carry a payment-identifier. */
  paymentIdentifierRequired: boolean;
  maxTimeoutSeconds: number;
  /** Upper bound on the byte length of a payment transaction we are willing to decode. */
  maxTransactionBytes: number;
  /** How long a broadcast (or a facilitator /settle) may take before its outcome is "unknown". */
  broadcastTimeoutMs: number;
  /** How long a read from the Stacks API may take before the route answers 504. */
  stacksApiTimeoutMs: number;
  /** Set when sponsored payments are accepted. */
  sponsorship?: SponsorshipConfig;
}

export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; problems: string[] };

export interface ConfigVars {
  ENVIRONMENT?: string;
  NETWORK?: string;
  PAY_TO?: string;
  SETTLEMENT_MODE?: string;
  STACKS_API_URL?: string;
  FACILITATOR_URL?: string;
  PRICE_STANDARD_STX?: string;
  PRICE_STANDARD_SBTC?: string;
  PRICE_STANDARD_USDCX?: string;
  DELIVERY_MODE?: string;
  CONFIRMATION_WAIT_SECONDS?: string;
  TRACKING_DEADLINE_SECONDS?: string;
  NONCE_GAP_MAX_BLOCKS?: string;
  PAYMENT_IDENTIFIER_REQUIRED?: string;
  BROADCAST_TIMEOUT_SECONDS?: string;
  STACKS_API_TIMEOUT_SECONDS?: string;
  /** A secret (`wrangler secret put SPONSOR_PRIVATE_KEY`), never a var in wrangler.toml. */
  SPONSOR_PRIVATE_KEY?: string;
  SPONSOR_FEE_MICROSTX?: string;
  SPONSOR_MAX_FEE_MICROSTX?: string;
  FACILITATOR_SPONSORS?: string;
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

function httpUrl(value: string | undefined): string | undefined {
  const url = (value?.trim() ?? '').replace(/\/+$/, '');
  return /^https?:\/\/[^\s/]+/.test(url) && URL.canParse(url) ? url : undefined;
}

/** Whole seconds within bounds, with a default when unset. */
export function seconds(
  problems: string[],
  name: string,
  value: string | undefined,
  fallback: number,
  max: number,
  unit = 'seconds',
): number {
  const raw = value?.trim();
  if (!raw) return fallback;
  if (!/^[0-9]{1,7}$/.test(raw) || Number(raw) > max) {
    problems.push(
      `${name} must be a whole number of ${unit} from 0 to ${max} (got ${JSON.stringify(value)})`,
    );
    return fallback;
  }
  return Number(raw);
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
  if (settlementMode !== 'node' && settlementMode !== 'facilitator') {
    problems.push(
      `SETTLEMENT_MODE must be "node" or "facilitator" (got ${JSON.stringify(settlementMode)})`,
    );
  }
  const stacksApiUrl = httpUrl(vars.STACKS_API_URL);
  if (!stacksApiUrl) {
    problems.push(
      `STACKS_API_URL must be an http(s) URL (got ${JSON.stringify(vars.STACKS_API_URL ?? null)})`,
    );
  }
  const facilitatorUrl = httpUrl(vars.FACILITATOR_URL);
  if (settlementMode === 'facilitator' && !facilitatorUrl) {
    problems.push(
      `FACILITATOR_URL must be an http(s) URL when SETTLEMENT_MODE is "facilitator" (got ${JSON.stringify(vars.FACILITATOR_URL ?? null)})`,
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
  const deliveryMode = vars.DELIVERY_MODE?.trim() || 'mempool';
  if (deliveryMode !== 'mempool' && deliveryMode !== 'confirmed') {
    problems.push(
      `DELIVERY_MODE must be "mempool" or "confirmed" (got ${JSON.stringify(deliveryMode)})`,
    );
  }
  const confirmationWait = seconds(
    problems,
    'CONFIRMATION_WAIT_SECONDS',
    vars.CONFIRMATION_WAIT_SECONDS,
    20,
    600,
  );
  const trackingDeadline = seconds(
    problems,
    'TRACKING_DEADLINE_SECONDS',
    vars.TRACKING_DEADLINE_SECONDS,
    3600,
    7 * 86_400,
  );
  const nonceGapMaxBlocks = seconds(
    problems,
    'NONCE_GAP_MAX_BLOCKS',
    vars.NONCE_GAP_MAX_BLOCKS,
    6,
    10_000,
    'blocks',
  );
  const stacksApiTimeout = seconds(
    problems,
    'STACKS_API_TIMEOUT_SECONDS',
    vars.STACKS_API_TIMEOUT_SECONDS,
    5,
    60,
  );
  const broadcastTimeout = seconds(
    problems,
    'BROADCAST_TIMEOUT_SECONDS',
    vars.BROADCAST_TIMEOUT_SECONDS,
    10,
    120,
  );
  const identifierRequired = vars.PAYMENT_IDENTIFIER_REQUIRED?.trim() || 'false';
  if (identifierRequired !== 'true' && identifierRequired !== 'false') {
    problems.push(
      `PAYMENT_IDENTIFIER_REQUIRED must be "true" or "false" (got ${JSON.stringify(identifierRequired)})`,
    );
  }
  const sponsorship =
    network === 'mainnet' || network === 'testnet'
      ? parseSponsorship(problems, vars, network, settlementMode)
      : undefined;
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      environment: vars.ENVIRONMENT?.trim() || 'development',
      network: network as StacksNetworkName,
      payTo,
      settlementMode: settlementMode as SettlementMode,
      stacksApiUrl: stacksApiUrl as string,
      ...(settlementMode === 'facilitator' ? { facilitatorUrl } : {}),
      standardPrices,
      deliveryMode: deliveryMode as DeliveryMode,
      confirmationWaitMs: confirmationWait * 1000,
      trackingDeadlineMs: trackingDeadline * 1000,
      nonceGapMaxBlocks: Math.max(1, nonceGapMaxBlocks),
      paymentIdentifierRequired: identifierRequired === 'true',
      maxTimeoutSeconds: 300,
      maxTransactionBytes: MAX_TRANSACTION_BYTES,
      broadcastTimeoutMs: Math.max(1, broadcastTimeout) * 1000,
      stacksApiTimeoutMs: Math.max(1, stacksApiTimeout) * 1000,
      ...(sponsorship ? { sponsorship } : {}),
    },
  };
}

const PRIVATE_KEY = /^[0-9a-fA-F]{64}(01)?$/;

/** The sponsor settings (see `SponsorshipConfig`); undefined when nobody sponsors. */
function parseSponsorship(
  problems: string[],
  vars: ConfigVars,
  network: StacksNetworkName,
  settlementMode: string,
): SponsorshipConfig | undefined {
  if (settlementMode === 'facilitator') {
    const flag = vars.FACILITATOR_SPONSORS?.trim() || 'false';
    if (flag !== 'true' && flag !== 'false') {
      problems.push(
        `FACILITATOR_SPONSORS must be "true" or "false" (got ${JSON.stringify(vars.FACILITATOR_SPONSORS)})`,
      );
    }
    return flag === 'true' ? { mode: 'facilitator' } : undefined;
  }
  const privateKey = vars.SPONSOR_PRIVATE_KEY?.trim() ?? '';
  if (!privateKey) return undefined;
  if (!PRIVATE_KEY.test(privateKey)) {
    // Never echo the value: it is a secret.
    problems.push(
      'SPONSOR_PRIVATE_KEY must be a hex secp256k1 private key (64 hex digits, or 66 ending in 01)',
    );
    return undefined;
  }
  const amount = (name: 'SPONSOR_FEE_MICROSTX' | 'SPONSOR_MAX_FEE_MICROSTX') => {
    const raw = vars[name]?.trim() ?? '';
    if (ATOMIC_AMOUNT.test(raw)) return BigInt(raw);
    problems.push(
      `${name} must be a positive whole number of microSTX when SPONSOR_PRIVATE_KEY is set (got ${JSON.stringify(vars[name] ?? null)})`,
    );
    return undefined;
  };
  const feeMicroStx = amount('SPONSOR_FEE_MICROSTX');
  const maxFeeMicroStx = amount('SPONSOR_MAX_FEE_MICROSTX');
  if (feeMicroStx === undefined || maxFeeMicroStx === undefined) return undefined;
  if (feeMicroStx > maxFeeMicroStx) {
    problems.push(
      `SPONSOR_FEE_MICROSTX (${feeMicroStx}) must not exceed SPONSOR_MAX_FEE_MICROSTX (${maxFeeMicroStx})`,
    );
    return undefined;
  }
  return {
    mode: 'worker',
    privateKey,
    address: getAddressFromPrivateKey(privateKey, network),
    feeMicroStx,
    maxFeeMicroStx,
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

/** The configuration inside a paid handler: the payment gate has already refused a broken one. */
export function configOf(env: ConfigVars): ServiceConfig {
  const result = getServiceConfig(env);
  if (!result.ok) throw new Error(`configuration invalid: ${result.problems.join('; ')}`);
  return result.config;
}
