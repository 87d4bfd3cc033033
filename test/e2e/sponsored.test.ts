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
  paymentStatus,
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

describe('a lost sponsored transaction (a gap in the sponsor nonces)', () => {
  it('leaves no later sponsored payment unminable: each is mined and paid, none answered for free', async () => {
    const funder = await getDevnetAccount('wallet_8');
    const RBF_FEE = 5000n;
    const [keyA, keyB, keyC] = [randomPrivateKey(), randomPrivateKey(), randomPrivateKey()];
    const [a, b, c] = [keyA, keyB, keyC].map((key) => getAddressFromPrivateKey(key, 'testnet'));
    const broadcast = async (tx: Parameters<typeof serializeTransactionBytes>[0]) => {
      const res = await fetch(`${devnet.url}/v2/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from(serializeTransactionBytes(tx)),
      });
      expect(res.status).toBe(200);
    };
    let funding = await nextNonce(devnet.url, funder.address);
    for (const [address, amount] of [
      [a, PRICE.STX + RBF_FEE + 1n],
      [b, PRICE.STX],
      [c, PRICE.STX],
    ] as const) {
      await broadcast(
        await makeSTXTokenTransfer({
          recipient: address,
          amount,
          senderKey: funder.privateKey,
          network: 'testnet',
          nonce: funding++,
          fee: 300n,
        }),
      );
    }
    await fetch(`${devnet.url}/devnet/mine`, { method: 'POST' });
    const accounts = [a, b, c, sponsor, PAY_TO];
    const read = () =>
      Promise.all(accounts.map((address) => balanceOf(devnet.url, address, 'STX')));
    const before = await read();
    const start = Number(await nextNonce(devnet.url, sponsor));
    const requirement = await requirementFor(sha256(), BODY);
    const pay = (header: string) => postJson(sha256(), BODY, { 'payment-signature': header });

    // #1 is delivered at mempool with sponsor nonce `start`, held there; its payer then replaces
    // it with a higher fee, so `start` is never spent: a gap below every later sponsor nonce.
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 1000 });
    const first = await pay(await sponsoredHeader(requirement, keyA, 0n));
    expect(first.status).toBe(200);
    await broadcast(
      await makeSTXTokenTransfer({
        recipient: getAddressFromPrivateKey(randomPrivateKey(), 'testnet'),
        amount: 1n,
        senderKey: keyA,
        network: 'testnet',
        nonce: 0n,
        fee: RBF_FEE,
      }),
    );
    // #2 is leased `start + 1`, above the gap: broadcast, but not served before it is mined.
    // Nothing fills the gap meanwhile, so after CONFIRMATION_WAIT_SECONDS it is a 202.
    const secondHeader = await sponsoredHeader(requirement, keyB, 0n);
    let second = await pay(secondHeader);
    expect(second.status).toBe(202);
    expect(
      await paymentStatus(worker.url, second.headers.get('x-payment-id') as string),
    ).toMatchObject({
      status: 'mempool',
      delivery: 'confirmed',
      delivered: false,
    });
    // #1's tracker ends it `replaced` and gives `start` back; #3 takes it and fills the gap.
    const firstStatus = await waitForPaymentStatus(
      worker.url,
      first.headers.get('x-payment-id') as string,
      (s) => s.status === 'replaced',
    );
    expect(firstStatus.delivered).toBe(true);
    const third = await pay(await sponsoredHeader(requirement, keyC, 0n));
    expect(third.status).toBe(200);
    expect(await third.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });

    // #2 is mined now: sending the same payment again collects its answer.
    for (let tries = 0; second.status === 202 && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      second = await pay(secondHeader);
    }
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    const secondStatus = await confirmed(second);
    expect({ delivery: secondStatus.delivery, status: secondStatus.status }).toEqual({
      delivery: 'confirmed',
      status: 'confirmed',
    });
    await confirmed(third);
    const nonces = await Promise.all(
      [second, third].map((res) => sponsorNonceOf(res.headers.get('x-transaction-id') as string)),
    );
    expect(nonces).toEqual([start + 1, start]);
    expect(Number(await nextNonce(devnet.url, sponsor))).toBe(start + 2);
    // To the microSTX: #1's payer paid its own replacement only; #2 and #3 paid the price, the
    // sponsor the fee of the two it sponsored that were mined.
    const after = await read();
    expect(after.map((balance, i) => balance - before[i])).toEqual([
      -(RBF_FEE + 1n),
      -PRICE.STX,
      -PRICE.STX,
      -2n * SPONSOR_FEE,
      2n * PRICE.STX,
    ]);
  });
});
