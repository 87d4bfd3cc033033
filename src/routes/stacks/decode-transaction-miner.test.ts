/**
 * `POST /stacks/decode/transaction` on the payloads only miners send (SIP-005 coinbase and
 * poison-microblock; Nakamoto tenure change), built by hand since no builder makes them.
 */
import {
  AddressHashMode,
  createCoinbasePayload,
  createPoisonPayload,
  createSingleSigSpendingCondition,
  createStandardAuth,
  createTenureChangePayload,
  privateKeyToPublic,
  StacksTransactionWire,
  TenureChangeCause,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson } from '../../../test/worker/support/paid-request';
import { PAYER_KEY } from '../../../test/worker/support/payments';
import { decodeTransactionRoute } from './decode-transaction';

const PATH = '/stacks/decode/transaction';
const paidDecode = (app: TestApp, hex: string, nonce = 0) =>
  paidJson<Record<string, unknown>>(app, PATH, {
    body: { hex },
    payment: { nonce: BigInt(nonce) },
  });

const hexOf = (tx: StacksTransactionWire) => `0x${tx.serialize()}`;

/** An unsigned testnet transaction with the given payload (miners' payloads have no builder). */
function unsignedWith(payload: ConstructorParameters<typeof StacksTransactionWire>[0]['payload']) {
  const condition = createSingleSigSpendingCondition(
    AddressHashMode.P2PKH,
    privateKeyToPublic(PAYER_KEY),
    0,
    0,
  );
  return new StacksTransactionWire({
    auth: createStandardAuth(condition),
    payload,
    network: 'testnet',
  });
}

describe('miner payloads', () => {
  it('names coinbase, tenure_change and poison_microblock payloads', async () => {
    const app = testApp([decodeTransactionRoute]);
    const coinbase = unsignedWith(createCoinbasePayload(new Uint8Array(32).fill(7)));
    expect(await paidDecode(app, hexOf(coinbase), 0)).toMatchObject({
      payload: { type: 'coinbase', coinbaseHex: `0x${'07'.repeat(32)}` },
      signatureValid: false,
      signatureProblem: expect.stringMatching(/^the origin signature does not verify/),
    });
    const tenure = unsignedWith(
      createTenureChangePayload(
        '11'.repeat(20),
        '22'.repeat(20),
        '33'.repeat(20),
        '44'.repeat(32),
        5,
        TenureChangeCause.Extended,
        '55'.repeat(20),
      ),
    );
    expect((await paidDecode(app, hexOf(tenure), 1)).payload).toEqual({
      type: 'tenure_change',
      tenureConsensusHash: `0x${'11'.repeat(20)}`,
      previousTenureConsensusHash: `0x${'22'.repeat(20)}`,
      burnViewConsensusHash: `0x${'33'.repeat(20)}`,
      previousTenureEnd: `0x${'44'.repeat(32)}`,
      previousTenureBlocks: 5,
      cause: 'extended',
      pubkeyHash: `0x${'55'.repeat(20)}`,
    });
    // SIP-005: a poison-microblock payload carries two 132-byte microblock headers.
    const poison = `${hexOf(unsignedWith(createPoisonPayload()))}${'00'.repeat(264)}`;
    expect((await paidDecode(app, poison, 2)).payload).toEqual({ type: 'poison_microblock' });
  });
});
