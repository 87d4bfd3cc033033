import { describe, expect, it } from 'vitest';
import { hangingFetch } from '../../test/worker/support/fakes';
import type { VerifiedPayment } from '../payment/types';
import { FacilitatorSettler } from './facilitator-settler';

const TXID = 'c'.repeat(64);
const REQUIREMENT = {
  scheme: 'exact' as const,
  network: 'stacks:2147483648',
  amount: '1000',
  asset: 'STX',
  payTo: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
  maxTimeoutSeconds: 300,
  extra: { tokenType: 'STX', decimals: 6, pricingTier: 'standard' },
};
const PAYLOAD = { x402Version: 2, accepted: REQUIREMENT, payload: { transaction: '80abcd' } };
const PAYMENT = {
  txid: TXID,
  requirement: REQUIREMENT,
  payload: PAYLOAD,
} as unknown as VerifiedPayment;

function facilitatorAnswering(status: number, body: unknown, seen: Request[] = []) {
  return new FacilitatorSettler({
    facilitatorUrl: 'http://facilitator.test/',
    timeoutMs: 50,
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
    },
  });
}

describe('the facilitator settler', () => {
  it('POSTs {x402Version, paymentPayload, paymentRequirements} to /settle', async () => {
    const seen: Request[] = [];
    const settler = facilitatorAnswering(
      200,
      { success: true, payer: 'ST1', transaction: `0x${TXID}`, network: 'stacks:2147483648' },
      seen,
    );
    expect(await settler.settle(PAYMENT)).toEqual({ type: 'settled', txid: TXID });
    expect(seen[0].url).toBe('http://facilitator.test/settle');
    expect(seen[0].method).toBe('POST');
    expect(seen[0].headers.get('content-type')).toBe('application/json');
    expect(await seen[0].json()).toEqual({
      x402Version: 2,
      paymentPayload: PAYLOAD,
      paymentRequirements: REQUIREMENT,
    });
  });

  it.each([
    'insufficient_funds',
    'client_bad_nonce',
    'conflicting_nonce',
    'recipient_mismatch',
    'broadcast_failed',
    'invalid_payload',
  ])('treats %s as a definite rejection (nothing broadcast)', async (errorReason) => {
    const settler = facilitatorAnswering(200, {
      success: false,
      errorReason,
      transaction: '',
      network: 'stacks:2147483648',
    });
    expect(await settler.settle(PAYMENT)).toEqual({
      type: 'rejected',
      code: errorReason,
      detail: `the facilitator refused the payment: ${errorReason}`,
    });
  });

  it('never guesses from substrings: an unknown or pending reason is "unknown", not a rejection', async () => {
    for (const errorReason of [
      'transaction_pending',
      'insufficient_funds_maybe',
      'unexpected_settle_error',
      '',
    ]) {
      const settler = facilitatorAnswering(200, {
        success: false,
        errorReason,
        transaction: `0x${TXID}`,
        network: 'x',
      });
      expect(await settler.settle(PAYMENT)).toMatchObject({
        type: 'unknown',
        code: 'unexpected_settle_error',
      });
    }
  });

  it('reports a 5xx, a body that is not a settlement response, a timeout or another txid as unknown', async () => {
    expect(await facilitatorAnswering(502, 'bad gateway').settle(PAYMENT)).toEqual({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the facilitator answered 502',
    });
    expect(await facilitatorAnswering(200, '<html>').settle(PAYMENT)).toMatchObject({
      type: 'unknown',
    });
    expect(
      await facilitatorAnswering(200, { success: true, transaction: `0x${'d'.repeat(64)}` }).settle(
        PAYMENT,
      ),
    ).toMatchObject({
      type: 'unknown',
      detail: `the facilitator settled another transaction (0x${'d'.repeat(64)})`,
    });
    const hanging = new FacilitatorSettler({
      facilitatorUrl: 'http://facilitator.test',
      timeoutMs: 20,
      fetch: hangingFetch,
    });
    expect(await hanging.settle(PAYMENT)).toEqual({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the facilitator did not answer within 20 ms',
    });
  });
});
