import { describe, expect, it } from 'vitest';
import { hangingFetch } from '../../test/worker/support/fakes';
import type { VerifiedPayment } from '../payment/types';
import { NodeSettler } from './node-settler';

const TXID = 'a'.repeat(64);
const PAYMENT = { txid: TXID, transaction: new Uint8Array([0x80, 1, 2, 3]) } as VerifiedPayment;

function settlerAnswering(status: number, body: string, seen: Request[] = []) {
  return new NodeSettler({
    stacksApiUrl: 'http://node.test/',
    timeoutMs: 50,
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    },
  });
}

const rejection = (reason: string) =>
  JSON.stringify({ error: 'transaction rejected', reason, reason_data: {}, txid: TXID });

describe('the node settler', () => {
  it('broadcasts the exact bytes as application/octet-stream to /v2/transactions', async () => {
    const seen: Request[] = [];
    expect(await settlerAnswering(200, JSON.stringify(TXID), seen).settle(PAYMENT)).toEqual({
      type: 'settled',
      txid: TXID,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('http://node.test/v2/transactions');
    expect(seen[0].headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await seen[0].arrayBuffer())).toEqual(PAYMENT.transaction);
  });

  it('accepts the txid with a 0x prefix', async () => {
    expect(await settlerAnswering(200, JSON.stringify(`0x${TXID}`)).settle(PAYMENT)).toEqual({
      type: 'settled',
      txid: TXID,
    });
  });

  it.each([
    ['BadNonce', 'client_bad_nonce'],
    ['NotEnoughFunds', 'insufficient_funds'],
    ['FeeTooLow', 'fee_too_low'],
    ['SignatureValidation', 'signature_validation_failed'],
    ['BadChainId', 'invalid_network'],
    ['Deserialization', 'invalid_transaction'],
    ['TooMuchChaining', 'too_many_pending'],
  ])('maps the node rejection %s to %s, a definite rejection', async (reason, code) => {
    expect(await settlerAnswering(400, rejection(reason)).settle(PAYMENT)).toEqual({
      type: 'rejected',
      code,
      detail: `the Stacks node rejected the transaction: ${reason}`,
    });
  });

  it('flags a nonce refusal that may be the sponsor’s: BadNonce naming the sponsor, or any mempool conflict', async () => {
    const answer = (reason: string, data?: Record<string, unknown>) =>
      settlerAnswering(
        400,
        JSON.stringify({ error: 'transaction rejected', reason, reason_data: data, txid: TXID }),
      ).settle(PAYMENT);
    expect(await answer('BadNonce', { expected: 4, actual: 3, is_origin: false })).toEqual({
      type: 'rejected',
      code: 'client_bad_nonce',
      detail: 'the Stacks node rejected the transaction: BadNonce',
      sponsorNonceSuspect: true,
    });
    expect(await answer('BadNonce', { expected: 4, actual: 3, is_origin: true })).toEqual({
      type: 'rejected',
      code: 'client_bad_nonce',
      detail: 'the Stacks node rejected the transaction: BadNonce',
    });
    // The sponsor's chain too long is not the payer's to wait out.
    expect(await answer('TooMuchChaining', { expected: 30, actual: 31, is_origin: false })).toEqual(
      {
        type: 'rejected',
        code: 'broadcast_failed',
        detail: 'the Stacks node rejected the transaction: TooMuchChaining',
        sponsorNonceSuspect: true,
      },
    );
    expect(await answer('ConflictingNonceInMempool')).toEqual({
      type: 'rejected',
      code: 'conflicting_nonce',
      detail: 'the Stacks node rejected the transaction: ConflictingNonceInMempool',
      sponsorNonceSuspect: true,
    });
  });

  it('treats a 4xx without a reason as a rejection, and a 5xx or a wrong txid as unknown', async () => {
    expect(await settlerAnswering(400, 'bad request').settle(PAYMENT)).toEqual({
      type: 'rejected',
      code: 'broadcast_failed',
      detail: 'the Stacks node answered 400',
    });
    expect(await settlerAnswering(503, 'busy').settle(PAYMENT)).toEqual({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the Stacks node answered 503',
    });
    expect(
      await settlerAnswering(200, JSON.stringify('b'.repeat(64))).settle(PAYMENT),
    ).toMatchObject({
      type: 'unknown',
      code: 'unexpected_settle_error',
    });
  });

  it('gives up on a node that hangs, as unknown (the transaction may be in a mempool)', async () => {
    const hanging = new NodeSettler({
      stacksApiUrl: 'http://node.test',
      timeoutMs: 20,
      fetch: hangingFetch,
    });
    expect(await hanging.settle(PAYMENT)).toEqual({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the Stacks node did not answer within 20 ms',
    });
  });

  it('reports an unreachable node as unknown', async () => {
    const down = new NodeSettler({
      stacksApiUrl: 'http://node.test',
      timeoutMs: 20,
      fetch: async () => {
        throw new TypeError('connection refused');
      },
    });
    expect(await down.settle(PAYMENT)).toEqual({
      type: 'unknown',
      code: 'unexpected_settle_error',
      detail: 'the Stacks node is unreachable: connection refused',
    });
  });
});
