import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PER_CALL,
  DEFAULT_MAX_PER_SESSION,
  parseTokenCaps,
  readMcpConfig,
} from './config';
import { formatTokenAmount } from './price-options';

const KEY = 'a'.repeat(64);

describe('readMcpConfig', () => {
  it('uses the local API, the local devnet and its wallet_1 when nothing is set', () => {
    expect(readMcpConfig({})).toEqual({
      network: 'testnet',
      apiUrl: 'http://127.0.0.1:8787',
      stacksApiUrl: 'http://127.0.0.1:3999',
      wallet: { type: 'devnet_default' },
      maxPerCall: DEFAULT_MAX_PER_CALL,
      maxPerSession: DEFAULT_MAX_PER_SESSION,
      deliveryTimeoutMs: 120_000,
    });
  });

  it('reads the wallet, the URLs, the caps and the delivery wait from the environment', () => {
    const config = readMcpConfig({
      X402_PRIVATE_KEY: `0x${KEY}01`,
      X402_NETWORK: 'mainnet',
      X402_API_URL: 'https://api.example.com/',
      X402_MAX_PER_CALL: 'STX=5000, sbtc=10',
      X402_MAX_PER_SESSION: 'USDC=20000',
      X402_DELIVERY_TIMEOUT_MS: '30000',
    });
    expect(config).toEqual({
      network: 'mainnet',
      apiUrl: 'https://api.example.com',
      stacksApiUrl: 'https://api.hiro.so',
      wallet: { type: 'private_key', privateKey: `${KEY}01` },
      maxPerCall: { STX: 5000n, sBTC: 10n, USDCx: DEFAULT_MAX_PER_CALL.USDCx },
      maxPerSession: { ...DEFAULT_MAX_PER_SESSION, USDCx: 20000n },
      deliveryTimeoutMs: 30_000,
    });
    expect(
      readMcpConfig({ X402_MNEMONIC: 'some words', X402_STACKS_API_URL: 'http://node:3999' }),
    ).toMatchObject({
      wallet: { type: 'mnemonic', mnemonic: 'some words' },
      stacksApiUrl: 'http://node:3999',
    });
  });

  it.each([
    [{ X402_NETWORK: 'devnet' }, 'X402_NETWORK must be testnet or mainnet, not devnet'],
    [{ X402_API_URL: 'ftp://x' }, 'X402_API_URL must be an http(s) URL, not "ftp://x"'],
    [{ X402_PRIVATE_KEY: 'abc' }, 'X402_PRIVATE_KEY must be 64 hex digits (66 with the 01 suffix)'],
    [
      { X402_PRIVATE_KEY: KEY, X402_MNEMONIC: 'a b' },
      'set X402_PRIVATE_KEY or X402_MNEMONIC, not both',
    ],
    [
      { X402_API_URL: 'https://api.example.com' },
      'set X402_MNEMONIC or X402_PRIVATE_KEY: the devnet wallet is used only against a local API on testnet (X402_API_URL is https://api.example.com)',
    ],
    [{ X402_NETWORK: 'mainnet' }, 'set X402_MNEMONIC or X402_PRIVATE_KEY'],
    [
      { X402_MAX_PER_CALL: 'STX=1,BTC=2' },
      'X402_MAX_PER_CALL must look like STX=1000,sBTC=5,USDCx=1000 (atomic units of STX, sBTC, USDCx); got "BTC=2"',
    ],
    [{ X402_DELIVERY_TIMEOUT_MS: '1.5' }, 'X402_DELIVERY_TIMEOUT_MS must be a whole number'],
  ])('refuses %j', (env, message) => {
    expect(() => readMcpConfig(env)).toThrow(message);
  });
});

describe('parseTokenCaps', () => {
  it('keeps the defaults of the tokens left out', () => {
    expect(parseTokenCaps('CAPS', 'usdcx=7', DEFAULT_MAX_PER_CALL)).toEqual({
      ...DEFAULT_MAX_PER_CALL,
      USDCx: 7n,
    });
  });
});

describe('formatTokenAmount', () => {
  it.each([
    [1000n, 'STX', '0.001 STX'],
    [1_000_000n, 'STX', '1 STX'],
    [2n, 'sBTC', '0.00000002 sBTC'],
    [123_456_789n, 'sBTC', '1.23456789 sBTC'],
    [0n, 'USDCx', '0 USDCx'],
  ] as const)('shows %s atomic %s as %s', (amount, token, shown) => {
    expect(formatTokenAmount(amount, token)).toBe(shown);
  });
});
