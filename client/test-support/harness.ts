/**
 * One paying client against a fake Stacks API and a fake paid API, both on loopback, for a test
 * file: `const harness = useClientHarness()` registers the hooks that start, reset and stop them.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { getDevnetAccount } from '../../devnet/accounts';
import {
  type FakeStacksApi,
  type FakeStacksApiState,
  startFakeStacksApi,
} from '../../test/support/fake-stacks-api';
import type { X402Client, X402ClientOptions } from '../client-api';
import { createX402Client } from '../x402-client';
import { type FakePaidApi, type FakePaidApiOptions, startFakePaidApi } from './fake-paid-api';
import { challengeFor, PAY_TO, PRICES, stacksRequirements } from './fixtures';

/** The fake Stacks API answers this nonce and fee rate (µSTX per byte) unless a test changes it. */
export const STACKS_STATE: FakeStacksApiState = { nextNonce: 7, feeRate: 3, missingNonces: [] };

export interface ClientHarness {
  readonly stacksApi: FakeStacksApi;
  readonly privateKey: string;
  /** Starts the paid API (closed after the test); the challenge defaults to STX, sBTC, USDCx. */
  startServer(
    options: Pick<FakePaidApiOptions, 'onPaid'> & Partial<FakePaidApiOptions>,
  ): Promise<FakePaidApi>;
  client(options?: Partial<X402ClientOptions>): X402Client;
}

export function useClientHarness(): ClientHarness {
  let stacksApi: FakeStacksApi | undefined;
  let privateKey = '';
  let server: FakePaidApi | undefined;

  beforeAll(async () => {
    privateKey = (await getDevnetAccount('wallet_1')).privateKey;
    stacksApi = await startFakeStacksApi(STACKS_STATE);
  });
  afterAll(() => stacksApi?.close());
  beforeEach(() => {
    Object.assign(required(stacksApi).state, STACKS_STATE);
    required(stacksApi).requests.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  return {
    get stacksApi() {
      return required(stacksApi);
    },
    get privateKey() {
      return privateKey;
    },
    async startServer(options) {
      server = await startFakePaidApi({
        challenge: challengeFor(stacksRequirements('testnet', PAY_TO, PRICES)),
        ...options,
      });
      return server;
    },
    client(options = {}) {
      return createX402Client({
        privateKey,
        network: 'testnet',
        stacksApiUrl: required(stacksApi).url,
        ...options,
      });
    },
  };
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the harness is not started (use it inside a test)');
  return value;
}

/** `POST {server}/hashing/sha256` with a JSON body, through `client`. */
export function payForHash(
  client: X402Client,
  server: FakePaidApi,
  call?: Parameters<X402Client['fetch']>[2],
) {
  return client.fetch(
    `${server.url}/hashing/sha256`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":"hello world"}',
    },
    call,
  );
}
