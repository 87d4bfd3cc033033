/**
 * Issue 11 end to end: sponsored payments over `wrangler dev` and the devnet, with balances to the
 * atomic unit (the payer pays the price only, the sponsor the fee), 20 concurrent payments with 20
 * consecutive sponsor nonces, and the sponsor's nonces recovered after refused broadcasts.
 */
import {
  Cl,
  getAddressFromPrivateKey,
  makeContractCall,
  makeSTXTokenTransfer,
  randomPrivateKey,
  serializeTransaction,
  serializeTransactionBytes,
} from '@stacks/transactions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPaymentTransaction } from '../../client';
import { type DevnetAccountName, getDevnetAccount } from '../../devnet/accounts';
import { encodeBase64Json } from '../../src/payment/header-codec';
import type { PaymentRequirements } from '../../src/payment/protocol';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import {
  armFault,
  balanceOf,
  HELLO_WORLD_SHA256,
  nextNonce,
  PAY_TO,
  postJson,
  requirementFor,
  waitForPaymentStatus,
} from './helpers';

const BODY = { data: 'hello world' };
/** wrangler.toml's top-level SPONSOR_FEE_MICROSTX: every payment here is shorter than 1000 bytes. */
const SPONSOR_FEE = 1000n;
const PRICE = { STX: 1000n, sBTC: 2n } as const;
let devnet: RunningProcess;
let worker: WorkerProcess;
let sponsor: string;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  const faucet = await getDevnetAccount('faucet');
  sponsor = faucet.address;
  worker = await startWorkerProcess({
    vars: {
      STACKS_API_URL: devnet.url,
      SPONSOR_PRIVATE_KEY: faucet.privateKey,
      BROADCAST_TIMEOUT_SECONDS: '5',
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await devnet?.stop();
});

afterEach(async () => {
  await fetch(`${devnet.url}/devnet/faults`, { method: 'DELETE' });
});

const sha256 = () => `${worker.url}/hashing/sha256`;

/** The header of a sponsored payment signed with a key (fee 0, `sponsored: true`). */
async function sponsoredHeader(
  requirement: PaymentRequirements,
  privateKey: string,
  nonce: bigint,
): Promise<string> {
  const payer = getAddressFromPrivateKey(privateKey, 'testnet');
  const signed = await buildPaymentTransaction(
    {
      requirement,
      tokenType: 'STX',
      network: 'testnet',
      privateKey,
      payer,
      nonce,
      sponsored: true,
    },
    { fee: 0n },
  );
  return encodeBase64Json({
    x402Version: 2,
    accepted: requirement,
    payload: { transaction: signed.hex },
  });
}

async function accountPay(account: DevnetAccountName) {
  const { address, privateKey } = await getDevnetAccount(account);
  const requirement = await requirementFor(sha256(), BODY);
  const header = await sponsoredHeader(
    requirement,
    privateKey,
    await nextNonce(devnet.url, address),
  );
  return postJson(sha256(), BODY, { 'payment-signature': header });
}

const confirmed = (res: Response) =>
  waitForPaymentStatus(
    worker.url,
    res.headers.get('x-payment-id') as string,
    (s) => s.status === 'confirmed',
  );

async function sponsorNonceOf(txid: string): Promise<number> {
  const res = await fetch(`${devnet.url}/extended/v1/tx/${txid}`);
  const tx = (await res.json()) as {
    sponsored: boolean;
    sponsor_address: string;
    sponsor_nonce: number;
    fee_rate: string;
  };
  expect({ sponsored: tx.sponsored, sponsor: tx.sponsor_address, fee: tx.fee_rate }).toEqual({
    sponsored: true,
    sponsor,
    fee: SPONSOR_FEE.toString(),
  });
  return tx.sponsor_nonce;
}

describe('a sponsored payment', () => {
  it('STX: the payer pays the price only, the sponsor pays the fee', async () => {
    const payer = (await getDevnetAccount('wallet_3')).address;
    const before = await Promise.all(
      [payer, sponsor, PAY_TO].map((a) => balanceOf(devnet.url, a, 'STX')),
    );
    const res = await accountPay('wallet_3');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    const txid = res.headers.get('x-transaction-id') as string;
    expect(txid).toMatch(/^0x[0-9a-f]{64}$/);
    const status = await confirmed(res);
    expect(`0x${status.txid.replace(/^0x/, '')}`).toBe(txid);
    const after = await Promise.all(
      [payer, sponsor, PAY_TO].map((a) => balanceOf(devnet.url, a, 'STX')),
    );
    expect(after.map((balance, i) => balance - before[i])).toEqual([
      -PRICE.STX,
      -SPONSOR_FEE,
      PRICE.STX,
    ]);
    await sponsorNonceOf(txid);
  });

  it('sBTC signed as the aibtc tool signs it (allow mode, no post-conditions): sBTC from the payer, the fee from the sponsor', async () => {
    const { address, privateKey } = await getDevnetAccount('wallet_4');
    const requirement = await requirementFor(sha256(), BODY, 'sBTC');
    const [contractAddress, contractName] = requirement.asset.split('.');
    const tx = await makeContractCall({
      contractAddress,
      contractName,
      functionName: 'transfer',
      functionArgs: [Cl.uint(PRICE.sBTC), Cl.principal(address), Cl.principal(PAY_TO), Cl.none()],
      postConditionMode: 'allow',
      postConditions: [],
      senderKey: privateKey,
      network: 'testnet',
      nonce: await nextNonce(devnet.url, address),
      fee: 0n,
      sponsored: true,
    });
    const header = encodeBase64Json({
      x402Version: 2,
      accepted: requirement,
      payload: { transaction: serializeTransaction(tx) },
    });
    const read = () =>
      Promise.all([
        balanceOf(devnet.url, address, 'sBTC'),
        balanceOf(devnet.url, address, 'STX'),
        balanceOf(devnet.url, sponsor, 'STX'),
        balanceOf(devnet.url, PAY_TO, 'sBTC'),
      ]);
    const before = await read();
    const res = await postJson(sha256(), BODY, { 'payment-signature': header });
    expect(res.status).toBe(200);
    await confirmed(res);
    const after = await read();
    expect(after.map((balance, i) => balance - before[i])).toEqual([
      -PRICE.sBTC,
      0n,
      -SPONSOR_FEE,
      PRICE.sBTC,
    ]);
  });
});

describe('20 concurrent sponsored payments', () => {
  it('are all mined, with 20 distinct consecutive sponsor nonces', async () => {
    // Twenty fresh payers holding exactly the price: they could never pay a fee themselves.
    const funder = await getDevnetAccount('wallet_5');
    const keys = Array.from({ length: 20 }, () => randomPrivateKey());
    let nonce = await nextNonce(devnet.url, funder.address);
    for (const key of keys) {
      const fund = await makeSTXTokenTransfer({
        recipient: getAddressFromPrivateKey(key, 'testnet'),
        amount: PRICE.STX,
        senderKey: funder.privateKey,
        network: 'testnet',
        nonce: nonce++,
        fee: 300n,
      });
      const res = await fetch(`${devnet.url}/v2/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from(serializeTransactionBytes(fund)),
      });
      expect(res.status).toBe(200);
    }
    await fetch(`${devnet.url}/devnet/mine`, { method: 'POST' });
    const sponsorBefore = await balanceOf(devnet.url, sponsor, 'STX');
    const firstNonce = Number(await nextNonce(devnet.url, sponsor));
    const requirement = await requirementFor(sha256(), BODY);
    const headers = await Promise.all(keys.map((key) => sponsoredHeader(requirement, key, 0n)));
    const responses = await Promise.all(
      headers.map((header) => postJson(sha256(), BODY, { 'payment-signature': header })),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    await Promise.all(responses.map(confirmed));
    const nonces = await Promise.all(
      responses.map((res) => sponsorNonceOf(res.headers.get('x-transaction-id') as string)),
    );
    expect([...nonces].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => firstNonce + i),
    );
    expect(sponsorBefore - (await balanceOf(devnet.url, sponsor, 'STX'))).toBe(20n * SPONSOR_FEE);
    for (const key of keys) {
      expect(await balanceOf(devnet.url, getAddressFromPrivateKey(key, 'testnet'), 'STX')).toBe(0n);
    }
  });
});

describe('sponsor nonce recovery', () => {
  it('a broadcast refused for the sponsor nonce is signed again; a refused payment gives its nonce back', async () => {
    const start = Number(await nextNonce(devnet.url, sponsor));
    // The node blames the sponsor's nonce once: the Worker re-reads the chain and broadcasts again.
    await armFault(devnet.url, {
      kind: 'reject-broadcast',
      reason: 'BadNonce',
      reasonData: { expected: start + 1, actual: start, principal: sponsor, is_origin: false },
    });
    const first = await accountPay('wallet_6');
    expect(first.status).toBe(200);
    // A refusal that is the payer's: nothing charged, and the sponsor nonce goes back.
    await armFault(devnet.url, { kind: 'reject-broadcast', reason: 'NotEnoughFunds' });
    const refused = await accountPay('wallet_7');
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { code: string }).code).toBe('insufficient_funds');
    // Someone else spends the sponsor's next nonce with its key: the Worker does not know.
    const faucet = await getDevnetAccount('faucet');
    const outside = await makeSTXTokenTransfer({
      recipient: PAY_TO,
      amount: 1n,
      senderKey: faucet.privateKey,
      network: 'testnet',
      nonce: BigInt(start + 1),
      // Not less than the sponsor's fee, or the devnet would let the payment replace it (RBF).
      fee: 5000n,
    });
    const sent = await fetch(`${devnet.url}/v2/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(serializeTransactionBytes(outside)),
    });
    expect(sent.status).toBe(200);
    const second = await accountPay('wallet_7');
    expect(second.status).toBe(200);
    await Promise.all([confirmed(first), confirmed(second)]);
    const nonces = await Promise.all(
      [first, second].map((res) => sponsorNonceOf(res.headers.get('x-transaction-id') as string)),
    );
    expect(nonces).toEqual([start, start + 2]);
    // No gap: every sponsor nonce up to here is mined.
    expect(Number(await nextNonce(devnet.url, sponsor))).toBe(start + 3);
  });
});
