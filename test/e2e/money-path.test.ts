/**
 * Issue 7 end to end, each defect against the devnet with balances checked: no answer from a
 * payment behind a nonce gap, no payer locked out after a node 5xx, a hang or a replacement, HEAD
 * never charged, and a deeply nested payment header answered 402 (not 500).
 */
import { makeSTXTokenTransfer, serializeTransactionBytes } from '@stacks/transactions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevnetAccountName, getDevnetAccount } from '../../devnet/accounts';
import { encodeBase64Json } from '../../src/payment/header-codec';
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
  signPayment,
  waitForPaymentStatus,
} from './helpers';

const BODY = { data: 'hello world' };
const PRICE = 1000n;
const FEE = 400n;
let devnet: RunningProcess;
let worker: WorkerProcess;
/** Follows payments for 6 s only, so a payment never seen reaches its deadline in the test. */
let shortWorker: WorkerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  const vars = {
    STACKS_API_URL: devnet.url,
    BROADCAST_TIMEOUT_SECONDS: '2',
    CONFIRMATION_WAIT_SECONDS: '1',
    NONCE_GAP_MAX_BLOCKS: '2',
  };
  [worker, shortWorker] = await Promise.all([
    startWorkerProcess({ vars }),
    startWorkerProcess({ vars: { ...vars, TRACKING_DEADLINE_SECONDS: '6' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), shortWorker?.stop()]);
  await devnet?.stop();
});

afterEach(async () => {
  await fetch(`${devnet.url}/devnet/faults`, { method: 'DELETE' });
});

const sha256 = (w: WorkerProcess = worker) => `${w.url}/hashing/sha256`;
const blocks = (n: number) => new Promise((resolve) => setTimeout(resolve, n * 500 + 200));

async function txKnown(txid: string): Promise<number> {
  const res = await fetch(`${devnet.url}/extended/v1/tx/0x${txid.replace(/^0x/, '')}`);
  await res.body?.cancel();
  return res.status;
}

/** A plain STX transfer from `account` at `nonce`, broadcast straight to the devnet. */
async function sendOwnTransfer(account: DevnetAccountName, nonce: bigint): Promise<string> {
  const { privateKey } = await getDevnetAccount(account);
  const tx = await makeSTXTokenTransfer({
    recipient: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
    amount: 1n,
    senderKey: privateKey,
    network: 'testnet',
    nonce,
    fee: FEE,
  });
  const res = await fetch(`${devnet.url}/v2/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from(serializeTransactionBytes(tx)),
  });
  expect(res.status).toBe(200);
  return tx.txid();
}

describe('a payment behind a gap in its payer nonces', () => {
  it('is refused before it is broadcast, every time, and the nonce it names is served', async () => {
    const requirement = await requirementFor(sha256(), BODY);
    const { address } = await getDevnetAccount('wallet_1');
    const next = await nextNonce(devnet.url, address);
    const before = await balanceOf(devnet.url, address, 'STX');
    for (const ahead of [1n, 2n, 5n]) {
      const payment = await signPayment(devnet.url, 'wallet_1', requirement, {
        nonce: next + ahead,
      });
      const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
      expect(res.status).toBe(402);
      const body = (await res.json()) as { code: string; message: string; hash?: string };
      expect(body.code).toBe('client_bad_nonce');
      expect(body.hash).toBeUndefined();
      expect(body.message).toContain(
        `the transaction has nonce ${next + ahead} but the payer's next nonce is ${next}`,
      );
      // Never broadcast: the chain has not heard of it.
      expect(await txKnown(payment.txid)).toBe(404);
    }
    await blocks(2);
    expect(await balanceOf(devnet.url, address, 'STX')).toBe(before);

    const payment = await signPayment(devnet.url, 'wallet_1', requirement, { nonce: next });
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    await waitForPaymentStatus(
      worker.url,
      res.headers.get('x-payment-id') as string,
      (s) => s.status === 'confirmed',
    );
    expect(before - (await balanceOf(devnet.url, address, 'STX'))).toBe(PRICE + FEE);
  });

  it('fails a delivered payment left behind a gap, marks its payer, and follows it if it is mined after all', async () => {
    const { address } = await getDevnetAccount('wallet_2');
    const before = await balanceOf(devnet.url, address, 'STX');
    const n = await nextNonce(devnet.url, address);
    // The payer's own transfer at nonce n waits in the mempool; the payment at n + 1 is next after it.
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 1000 });
    const own = await sendOwnTransfer('wallet_2', n);
    const payment = await signPayment(
      devnet.url,
      'wallet_2',
      await requirementFor(sha256(), BODY),
      {
        nonce: n + 1n,
      },
    );
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    const paymentId = res.headers.get('x-payment-id') as string;

    // The transfer at n is dropped: the payment can no longer be mined.
    await armFault(devnet.url, { kind: 'replace-transaction', txid: own });
    const failed = await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'failed');
    expect(failed.terminalReason).toMatch(
      new RegExp(
        `^not mined after [0-9]+ blocks behind a gap in the payer's nonces \\(nonce ${n} is missing\\)$`,
      ),
    );
    expect(failed.delivered).toBe(true);
    expect(await balanceOf(devnet.url, address, 'STX')).toBe(before);

    // Marked: the payer's next payment is served on confirmation only. Asked for n + 2, the
    // Worker names n; paid with n, it is held for a few blocks, so the first answer is a 202.
    const requirement = await requirementFor(sha256(), BODY);
    const skipping = await signPayment(devnet.url, 'wallet_2', requirement, { nonce: n + 2n });
    const refused = await postJson(sha256(), BODY, { 'payment-signature': skipping.header });
    expect(await refused.json()).toMatchObject({ code: 'client_bad_nonce' });
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 4 });
    const filler = await signPayment(devnet.url, 'wallet_2', requirement, { nonce: n });
    const pending = await postJson(sha256(), BODY, { 'payment-signature': filler.header });
    expect(pending.status).toBe(202);
    const body = (await pending.json()) as { message: string; paymentId: string };
    expect(body.message).toContain(
      `This payer is served on confirmed payments only, since payment ${paymentId} ended failed`,
    );
    await waitForPaymentStatus(worker.url, body.paymentId, (s) => s.status === 'confirmed');
    const collected = await postJson(sha256(), BODY, { 'payment-signature': filler.header });
    expect(collected.status).toBe(200);

    // With the gap filled, the failed payment is mined after all: the ledger says so too.
    const late = await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'confirmed');
    expect(late.history.map((h) => h.status)).toEqual([
      'queued',
      'broadcasting',
      'mempool',
      'failed',
      'confirmed',
    ]);
    expect(before - (await balanceOf(devnet.url, address, 'STX'))).toBe(2n * (PRICE + FEE));
  });
});

describe('no payer locked out', () => {
  it('after a node 5xx, the tracker broadcasts the payment again without the client', async () => {
    const payment = await signPayment(devnet.url, 'wallet_3', await requirementFor(sha256(), BODY));
    const before = await balanceOf(devnet.url, payment.payer, 'STX');
    await armFault(devnet.url, { kind: 'broadcast-http-error', status: 503 });
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(202);
    const { paymentId } = (await res.json()) as { paymentId: string };
    const confirmed = await waitForPaymentStatus(
      worker.url,
      paymentId,
      (s) => s.status === 'confirmed',
    );
    expect(confirmed.history.map((h) => [h.status, h.reason ?? null])).toEqual([
      ['queued', null],
      ['broadcasting', 'the Stacks node answered 503'],
      ['mempool', 'broadcast again by the tracker'],
      ['confirmed', null],
    ]);
    expect(before - (await balanceOf(devnet.url, payment.payer, 'STX'))).toBe(PRICE + FEE);
    // The client collects its answer with the same payment, once.
    const collected = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    const again = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(again.status).toBe(402);
  });

  it('a payment never seen by its deadline frees its nonce, and the same payment then goes through', async () => {
    const url = sha256(shortWorker);
    const payment = await signPayment(devnet.url, 'wallet_4', await requirementFor(url, BODY));
    const before = await balanceOf(devnet.url, payment.payer, 'STX');
    // The node answers 503 to every broadcast until the deadline, the tracker's included.
    await armFault(devnet.url, { kind: 'broadcast-http-error', status: 503, times: 1000 });
    const res = await postJson(url, BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(202);
    const { paymentId } = (await res.json()) as { paymentId: string };
    const lost = await waitForPaymentStatus(
      shortWorker.url,
      paymentId,
      (s) => s.status === 'not_found',
    );
    expect(lost.terminalReason).toBe('not seen on chain before the tracking deadline');
    expect(lost.delivered).toBe(false);
    await fetch(`${devnet.url}/devnet/faults`, { method: 'DELETE' });

    // The payer's wallet signs the same payment again (same nonce, same bytes): accepted.
    const again = await signPayment(devnet.url, 'wallet_4', await requirementFor(url, BODY));
    expect(again.txid).toBe(payment.txid);
    const paid = await postJson(url, BODY, { 'payment-signature': again.header });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    await waitForPaymentStatus(
      shortWorker.url,
      paid.headers.get('x-payment-id') as string,
      (s) => s.status === 'confirmed',
    );
    expect(before - (await balanceOf(devnet.url, payment.payer, 'STX'))).toBe(PRICE + FEE);
    expect((await paymentStatus(shortWorker.url, paymentId)).status).toBe('not_found');
  });

  it('a delivered payment dropped from the mempool marks its payer but frees its nonce', async () => {
    await armFault(devnet.url, { kind: 'hold-transaction', blocks: 1000 });
    const requirement = await requirementFor(sha256(), BODY);
    const payment = await signPayment(devnet.url, 'wallet_5', requirement);
    const before = await balanceOf(devnet.url, payment.payer, 'STX');
    const res = await postJson(sha256(), BODY, { 'payment-signature': payment.header });
    expect(res.status).toBe(200);
    const paymentId = res.headers.get('x-payment-id') as string;
    await armFault(devnet.url, { kind: 'replace-transaction', txid: payment.txid });
    const replaced = await waitForPaymentStatus(
      worker.url,
      paymentId,
      (s) => s.status === 'replaced',
    );
    expect(replaced.terminalReason).toBe('dropped_replace_by_fee');

    // The nonce was never spent: the payer pays with it again (a new fee, so a new transaction),
    // and, being marked, is served once it is confirmed.
    const retry = await signPayment(devnet.url, 'wallet_5', requirement, {
      nonce: payment.nonce,
      fee: 500n,
    });
    let answer = await postJson(sha256(), BODY, { 'payment-signature': retry.header });
    if (answer.status === 202) {
      const { paymentId: id } = (await answer.json()) as { paymentId: string };
      await waitForPaymentStatus(worker.url, id, (s) => s.status === 'confirmed');
      answer = await postJson(sha256(), BODY, { 'payment-signature': retry.header });
    }
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ hash: HELLO_WORLD_SHA256 });
    await blocks(1);
    expect(before - (await balanceOf(devnet.url, payment.payer, 'STX'))).toBe(PRICE + 500n);
  });
});

describe('requests that must never be charged', () => {
  it('HEAD on a paid GET route answers the challenge and never settles', async () => {
    const { address } = await getDevnetAccount('wallet_6');
    const url = `${worker.url}/stacks/address/${address}`;
    const challenge = await fetch(url);
    expect(challenge.status).toBe(402);
    const required = JSON.parse(
      Buffer.from(challenge.headers.get('payment-required') ?? '', 'base64').toString(),
    ) as { accepts: { extra: { tokenType: string } }[] };
    const requirement = required.accepts.find((a) => a.extra.tokenType === 'STX');
    if (!requirement) throw new Error('no STX requirement');
    const payment = await signPayment(devnet.url, 'wallet_6', requirement as never);
    const before = await balanceOf(devnet.url, address, 'STX');
    const head = await fetch(url, {
      method: 'HEAD',
      headers: { 'payment-signature': payment.header },
    });
    expect(head.status).toBe(402);
    expect(head.headers.get('payment-required')).not.toBeNull();
    await blocks(2);
    expect(await txKnown(payment.txid)).toBe(404);
    expect(await balanceOf(devnet.url, address, 'STX')).toBe(before);
    // The same payment still buys the GET.
    const get = await fetch(url, { headers: { 'payment-signature': payment.header } });
    expect(get.status).toBe(200);
  });

  it('a payment header nested 4,000 levels deep is a 402 invalid_payload, not a 500', async () => {
    let extra: unknown = 'x';
    for (let i = 0; i < 4000; i++) extra = [extra];
    const header = encodeBase64Json({
      x402Version: 2,
      accepted: { scheme: 'exact', network: 'stacks:2147483648', payTo: PAY_TO, extra },
      payload: { transaction: '00' },
    });
    const res = await postJson(sha256(), BODY, { 'payment-signature': header });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'invalid_payload' });
  });
});
