/**
 * Helpers for tests that drive a devnet over real HTTP with transactions signed by
 * @stacks/transactions (devnet tests here, and end-to-end tests elsewhere).
 */
import {
  Cl,
  makeContractCall,
  makeSTXTokenTransfer,
  Pc,
  type PostCondition,
  type StacksTransactionWire,
} from '@stacks/transactions';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { PaymentRequirements } from '../src/payment/protocol.ts';
import { CAIP2_NETWORK, TOKENS } from '../src/stacks/tokens.ts';
import type { DevnetAccount } from './accounts.ts';
import { DEVNET_TOKENS, type DevnetToken } from './genesis.ts';
import { type Devnet, type DevnetOptions, startDevnet } from './server.ts';

/**
 * The devnet of a test file: started on a free port before its tests, closed after them, and with
 * armed faults cleared after each test when `clearFaultsAfterEach` is set. The object answers for
 * the running devnet from `beforeAll` on.
 */
export function devnetForTests(
  options: Pick<DevnetOptions, 'blockTimeMs' | 'facilitatorSponsor'> & {
    clearFaultsAfterEach?: boolean;
  },
): Devnet {
  let started: Devnet | undefined;
  beforeAll(async () => {
    started = await startDevnet({
      port: 0,
      blockTimeMs: options.blockTimeMs,
      facilitatorSponsor: options.facilitatorSponsor,
    });
  });
  if (options.clearFaultsAfterEach) afterEach(() => running().faults.clear());
  afterAll(async () => {
    await started?.close();
  });
  const running = (): Devnet => {
    if (!started) throw new Error('the devnet starts in beforeAll: use it inside tests');
    return started;
  };
  return {
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
    get host() {
      return running().host;
    },
    get accounts() {
      return running().accounts;
    },
    get chain() {
      return running().chain;
    },
    get faults() {
      return running().faults;
    },
    mineBlock: () => running().mineBlock(),
    close: () => running().close(),
  };
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

export function devnetToken(type: DevnetToken['type']): DevnetToken {
  const token = DEVNET_TOKENS.find((candidate) => candidate.type === type);
  if (!token) throw new Error(`no devnet token ${type}`);
  return token;
}

export function account(devnet: Devnet, name: DevnetAccount['name']): DevnetAccount {
  const found = devnet.accounts.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no devnet account ${name}`);
  return found;
}

export async function getJson<T = Record<string, unknown>>(
  devnet: Devnet,
  path: string,
): Promise<HttpResult<T>> {
  const response = await fetch(`${devnet.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** `POST /v2/transactions` with raw bytes, as the Worker's node settler sends them. */
export async function postTransaction(
  devnet: Devnet,
  body: Uint8Array | string,
  contentType = 'application/octet-stream',
): Promise<HttpResult> {
  const response = await fetch(`${devnet.url}/v2/transactions`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.startsWith('"') || text.startsWith('{') ? JSON.parse(text) : text,
  };
}

/** POSTs a JSON body and reads the answer (JSON when it is JSON, else the text). */
export async function postJson<T = Record<string, unknown>>(
  devnet: Devnet,
  path: string,
  body: unknown,
): Promise<HttpResult<T>> {
  const response = await fetch(`${devnet.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a fault's plain-text 5xx, a node's plain-text 400): keep the text.
  }
  return { status: response.status, body: parsed as T };
}

/** The PaymentRequirements the Worker offers on the devnet for a token, as it builds them. */
export function devnetRequirements(
  token: 'STX' | DevnetToken,
  amount: bigint,
  payTo: string,
): PaymentRequirements {
  const type = token === 'STX' ? 'STX' : token.type;
  const asset = token === 'STX' ? 'STX' : token.contractId;
  return {
    scheme: 'exact',
    network: CAIP2_NETWORK.testnet,
    amount: amount.toString(),
    asset,
    payTo,
    maxTimeoutSeconds: 300,
    extra: {
      tokenType: type,
      ...(asset === 'STX' ? {} : { tokenContract: asset }),
      decimals: TOKENS[type].decimals,
      pricingTier: 'standard',
    },
  };
}

/** A facilitator `/verify` or `/settle` body paying `requirements` with `tx`. */
export function facilitatorBody(tx: StacksTransactionWire, requirements: PaymentRequirements) {
  return {
    x402Version: 2,
    paymentPayload: {
      x402Version: 2,
      resource: { url: 'http://127.0.0.1:8787/paid' },
      accepted: requirements,
      payload: { transaction: `0x${tx.serialize()}` },
    },
    paymentRequirements: requirements,
  };
}

/** Polls `GET /extended/v1/tx/0x{txid}` until the transaction leaves `pending`. */
export async function waitForFinalStatus(
  devnet: Devnet,
  txid: string,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJson(devnet, `/extended/v1/tx/0x${txid}`);
    if (status === 200 && body.tx_status !== 'pending') return body;
    if (Date.now() > deadline) throw new Error(`tx ${txid} still ${String(body.tx_status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function stxTransfer(
  from: DevnetAccount,
  to: string,
  options: { amount: bigint; fee: bigint; nonce: bigint; memo?: string },
): Promise<StacksTransactionWire> {
  return makeSTXTokenTransfer({
    recipient: to,
    amount: options.amount,
    senderKey: from.privateKey,
    network: 'testnet',
    fee: options.fee,
    nonce: options.nonce,
    memo: options.memo,
  });
}

/** The post-condition x402 payers add: `address` sends exactly `amount` of the token. */
export function sendsExactly(token: DevnetToken, address: string, amount: bigint): PostCondition {
  return Pc.principal(address)
    .willSendEq(amount)
    .ft(token.contractId as `${string}.${string}`, token.assetId.split('::')[1]);
}

export interface TokenTransferCall {
  amount: bigint;
  /** The `sender` argument: the signer's address, unless the test says otherwise. */
  from: string;
  to: string;
  memo?: Uint8Array;
  fee: bigint;
  nonce: bigint;
  /** Default deny, as @stacks/transactions. */
  postConditionMode?: 'deny' | 'allow';
  /** Default none. */
  postConditions?: PostCondition[];
  sponsored?: boolean;
}

/** A SIP-010 `transfer(amount, from, to, memo)` signed with `senderKey`, exactly as given. */
export function tokenTransferCall(
  token: DevnetToken,
  senderKey: string,
  call: TokenTransferCall,
): Promise<StacksTransactionWire> {
  return makeContractCall({
    contractAddress: token.deployer,
    contractName: token.contractName,
    functionName: 'transfer',
    functionArgs: [
      Cl.uint(call.amount),
      Cl.principal(call.from),
      Cl.principal(call.to),
      call.memo ? Cl.some(Cl.buffer(call.memo)) : Cl.none(),
    ],
    senderKey,
    network: 'testnet',
    fee: call.fee,
    nonce: call.nonce,
    postConditionMode: call.postConditionMode ?? 'deny',
    postConditions: call.postConditions ?? [],
    sponsored: call.sponsored ?? false,
  });
}

/**
 * A SIP-010 `transfer` the way x402 payers build it: deny mode, one post-condition saying the
 * sender sends exactly `postConditionAmount` (default: the amount) of the token.
 */
export function sip010Transfer(
  token: DevnetToken,
  from: DevnetAccount,
  to: string,
  options: {
    amount: bigint;
    fee: bigint;
    nonce: bigint;
    memo?: Uint8Array;
    postConditionAmount?: bigint;
  },
): Promise<StacksTransactionWire> {
  return tokenTransferCall(token, from.privateKey, {
    amount: options.amount,
    from: from.address,
    to,
    memo: options.memo,
    fee: options.fee,
    nonce: options.nonce,
    postConditionMode: 'deny',
    postConditions: [
      sendsExactly(token, from.address, options.postConditionAmount ?? options.amount),
    ],
  });
}

export interface Holdings {
  stx: bigint;
  fungible: Record<string, bigint>;
  nonce: number;
}

/** An address's holdings as the API reports them (and as the VM holds them: both must agree). */
export async function holdings(devnet: Devnet, address: string): Promise<Holdings> {
  const { body } = await getJson<{
    stx: { balance: string };
    fungible_tokens: Record<string, { balance: string }>;
  }>(devnet, `/extended/v1/address/${address}/balances`);
  const { body: node } = await getJson<{ nonce: number }>(devnet, `/v2/accounts/${address}`);
  const fungible: Record<string, bigint> = {};
  for (const [assetId, entry] of Object.entries(body.fungible_tokens)) {
    fungible[assetId] = BigInt(entry.balance);
  }
  const vm = devnet.chain.vmBalances(address);
  const vmFungible = Object.fromEntries([...vm.fungible].filter(([, amount]) => amount > 0n));
  const apiFungible = Object.fromEntries(Object.entries(fungible).filter(([, a]) => a > 0n));
  if (vm.stx !== BigInt(body.stx.balance) || !sameRecord(vmFungible, apiFungible)) {
    throw new Error(`API and VM disagree on ${address}: ${String(vm.stx)} vs ${body.stx.balance}`);
  }
  return { stx: BigInt(body.stx.balance), fungible, nonce: node.nonce };
}

function sameRecord(a: Record<string, bigint>, b: Record<string, bigint>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}
