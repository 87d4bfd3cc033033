/** What `npm run pay` prints after a 202 that did not end in delivery, checked without a process. */
import { describe, expect, it } from 'vitest';
import { formatResend, formatResponse, isPendingDelivery } from './cli-output';
import { formatAssetAmount } from './cli-status-output';
import type { SentPayment, X402PaymentFailed, X402Response } from './client-api';
import type { PaymentPending, PaymentStatus } from './payment-status';
import { pendingReply, statusReport } from './test-support/fake-paid-api';
import { PAY_TO, PAYER, PAYMENT_ID, SBTC, stacksRequirements } from './test-support/fixtures';

const API = 'http://api.test';
const STATUS_URL = `${API}/payment-status/${PAYMENT_ID}`;
const IDENTIFIER = 'pid_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH';
const TXID = `0x${'77'.repeat(32)}`;
const PAYMENT: SentPayment = {
  requirement: stacksRequirements('testnet', PAY_TO, { STX: '1000' })[0],
  tokenType: 'STX',
  from: PAYER,
  nonce: 9n,
  fee: 540n,
  txid: TXID,
  transaction: '00',
};
const PENDING = pendingReply(API, PAYMENT_ID, 'mempool').body as PaymentPending;
const seen = (...statuses: PaymentStatus[][]) =>
  statuses.map((history) => statusReport(API, PAYMENT_ID, history));

const PAYMENT_LINES = [
  `Paying 1000 microSTX (0.001 STX) from ${PAYER}`,
  `  tx ${TXID} (nonce 9, fee 540 microSTX)`,
  `  payment identifier ${IDENTIFIER}`,
  `202 Accepted: payment ${PAYMENT_ID} is mempool; waiting for delivery`,
];

describe('formatResponse after a 202', () => {
  it('prints each status change once, and why the payment failed', () => {
    const statuses = seen(
      ['queued', 'mempool'],
      ['queued', 'mempool'],
      ['queued', 'mempool', 'failed'],
    );
    const last = { ...statuses[2], terminalReason: 'abort_by_post_condition' };
    const failed: X402PaymentFailed = {
      type: 'payment_failed',
      message: `payment ${PAYMENT_ID} ended failed (abort_by_post_condition): nothing was delivered, and nothing more was paid`,
      status: 202,
      headers: new Headers(),
      body: PENDING,
      payment: PAYMENT,
      paymentIdentifier: IDENTIFIER,
      paymentId: PAYMENT_ID,
      checkStatusUrl: STATUS_URL,
      pending: PENDING,
      paymentStatus: last,
    };
    expect(isPendingDelivery(failed)).toBe(false);
    expect(formatResponse(failed, PAYER, [...statuses.slice(0, 2), last])).toEqual([
      ...PAYMENT_LINES,
      '  status mempool',
      '  status failed (abort_by_post_condition)',
      `Not delivered: payment ${PAYMENT_ID} ended failed (abort_by_post_condition): nothing was delivered, and nothing more was paid`,
      `Payment id: ${PAYMENT_ID} (status, free: ${STATUS_URL})`,
    ]);
  });

  it('says how to follow and collect a payment still pending when waiting timed out', () => {
    const statuses = seen(['queued', 'mempool']);
    const timedOut: X402Response = {
      type: 'response',
      status: 202,
      headers: new Headers(),
      body: PENDING,
      payment: PAYMENT,
      paymentIdentifier: IDENTIFIER,
      paymentId: PAYMENT_ID,
      checkStatusUrl: STATUS_URL,
      pending: PENDING,
      paymentStatus: statuses[0],
    };
    expect(isPendingDelivery(timedOut)).toBe(true);
    expect(formatResponse(timedOut, PAYER, statuses)).toEqual([
      ...PAYMENT_LINES,
      '  status mempool',
      `Payment id: ${PAYMENT_ID} (status, free: ${STATUS_URL})`,
      `Not delivered yet: follow it with \`npm run pay -- --status ${PAYMENT_ID}\`, then repeat this call with \`--id ${IDENTIFIER}\` to collect the result without paying twice`,
    ]);
  });
});

describe('formatResponse after a repeat with --id', () => {
  it('says the result came from the earlier payment and the new transaction was not used', () => {
    const earlier = `0x${'88'.repeat(32)}`;
    const collected: X402Response = {
      type: 'response',
      status: 200,
      headers: new Headers(),
      body: { hash: 'b94d27b9' },
      payment: PAYMENT,
      paymentIdentifier: IDENTIFIER,
      paymentResponse: { success: true, transaction: earlier, network: 'stacks:2147483648' },
      paymentId: PAYMENT_ID,
      checkStatusUrl: STATUS_URL,
    };
    expect(formatResponse(collected, PAYER).slice(3)).toEqual([
      '200 OK',
      '{\n  "hash": "b94d27b9"\n}',
      `Receipt: settled, tx ${earlier}, network stacks:2147483648`,
      `  collected with the earlier payment ${earlier}; transaction ${TXID} was not used`,
      `Payment id: ${PAYMENT_ID} (status, free: ${STATUS_URL})`,
    ]);
  });
});

describe('formatResend', () => {
  it('says why the same payment was sent again, and what came back', () => {
    const lines = [
      formatResend({ paymentId: PAYMENT_ID, reason: 'broadcasting', status: 202 }),
      formatResend({ paymentId: PAYMENT_ID, reason: 'status_unknown' }),
      formatResend({ paymentId: PAYMENT_ID, reason: 'deliverable', status: 200 }),
    ];
    expect(lines).toEqual([
      'waiting: sent the request again with the same payment (still broadcasting): 202 Accepted',
      'waiting: sent the request again with the same payment (status unavailable): no answer in time',
      'waiting: sent the request again with the same payment (deliverable): 200 OK',
    ]);
  });
});

describe('formatAssetAmount', () => {
  it('names the unit of the tokens we list, and falls back to atomic units', () => {
    expect(formatAssetAmount('1000', 'STX', 'stacks:2147483648')).toBe('1000 microSTX (0.001 STX)');
    expect(formatAssetAmount('2', SBTC, 'stacks:2147483648')).toBe('2 sats (0.00000002 sBTC)');
    expect(formatAssetAmount('2', SBTC, 'stacks:1')).toBe(`2 (atomic units of ${SBTC})`);
    expect(formatAssetAmount('5', 'SP000.other', 'stacks:1')).toBe(
      '5 (atomic units of SP000.other)',
    );
  });
});
