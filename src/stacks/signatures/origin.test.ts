/**
 * verifyOrigin (WASM recovery in workerd) against @stacks/transactions' own, on the same
 * transactions: the same next sighash when the origin signature verifies, a throw when not.
 */
import {
  AddressHashMode,
  type MultiSigSpendingCondition,
  makeSTXTokenTransfer,
  privateKeyToPublic,
  type SingleSigSpendingCondition,
  type StacksTransactionWire,
  serializeTransactionBytes,
  verifyOrigin as verifyOriginInJavaScript,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import {
  initialSighashOf,
  OriginVerificationError,
  verifyOrigin,
  verifyTransactionOrigin,
} from './origin';
import { recoveryEngine } from './recovery-engine';

const COMPRESSED_KEY = '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801';
const UNCOMPRESSED_KEY = COMPRESSED_KEY.slice(0, 64);
const OTHER_KEY = '530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101';
const RECIPIENT = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP';

function transfer(options: Record<string, unknown>): Promise<StacksTransactionWire> {
  return makeSTXTokenTransfer({
    recipient: RECIPIENT,
    amount: 1000n,
    network: 'testnet',
    fee: 500n,
    nonce: 7n,
    ...('signerKeys' in options ? {} : { senderKey: COMPRESSED_KEY }),
    ...options,
  } as Parameters<typeof makeSTXTokenTransfer>[0]);
}

/** Both verifiers' answers: the next sighash, or `throws`. */
function both(tx: StacksTransactionWire) {
  const run = (verify: () => string) => {
    try {
      return verify();
    } catch {
      return 'throws';
    }
  };
  const initial = tx.verifyBegin();
  return {
    ours: run(() => verifyOrigin(tx.auth, initial)),
    library: run(() => verifyOriginInJavaScript(tx.auth, initial)),
  };
}

function singleSig(tx: StacksTransactionWire): SingleSigSpendingCondition {
  return tx.auth.spendingCondition as SingleSigSpendingCondition;
}

describe('verifyOrigin', () => {
  it('recovers with WASM here', () => {
    expect(recoveryEngine().engine).toBe('wasm');
  });

  it.each([
    ['a compressed key', {}],
    ['an uncompressed key', { senderKey: UNCOMPRESSED_KEY }],
    ['a sponsored origin', { sponsored: true }],
  ])('answers what @stacks/transactions answers for %s', async (_label, options) => {
    const tx = await transfer(options);
    const answer = both(tx);
    expect(answer.ours).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.ours).toBe(answer.library);
    expect(verifyTransactionOrigin(tx)).toBe(tx.verifyOrigin());
  });

  it('answers for a P2WPKH origin as the library does', async () => {
    const tx = await transfer({});
    singleSig(tx).hashMode = AddressHashMode.P2WPKH;
    const answer = both(tx);
    expect(answer.ours).toBe('throws'); // the signer hash is the P2PKH one
    expect(answer.ours).toBe(answer.library);
  });

  it.each([
    [
      'a tampered r',
      (data: string) => data.slice(0, 2) + (data[2] === '0' ? '1' : '0') + data.slice(3),
    ],
    ['a tampered s', (data: string) => data.slice(0, 129) + (data[129] === '0' ? '1' : '0')],
    ['recovery id 4', (data: string) => `04${data.slice(2)}`],
    ['recovery id flipped', (data: string) => `0${Number(data[1]) ^ 1}${data.slice(2)}`],
    ['r = 0', (data: string) => `${data.slice(0, 2)}${'0'.repeat(64)}${data.slice(66)}`],
  ])('refuses %s, as the library does', async (_label, tamper) => {
    const tx = await transfer({});
    singleSig(tx).signature.data = tamper(singleSig(tx).signature.data);
    expect(both(tx)).toEqual({ ours: 'throws', library: 'throws' });
    expect(() => verifyTransactionOrigin(tx)).toThrow(OriginVerificationError);
  });

  it('refuses a signature by another key, naming both hashes', async () => {
    const tx = await transfer({});
    const other = await transfer({ senderKey: OTHER_KEY });
    singleSig(tx).signature = singleSig(other).signature;
    expect(() => verifyOrigin(tx.auth, tx.verifyBegin())).toThrow(
      /^Signer hash does not equal hash of public key\(s\): [0-9a-f]{40} != [0-9a-f]{40}$/,
    );
    expect(both(tx).library).toBe('throws');
  });

  it('hands multi-signature origins to the library', async () => {
    const tx = await transfer({
      numSignatures: 2,
      publicKeys: [privateKeyToPublic(COMPRESSED_KEY), privateKeyToPublic(OTHER_KEY)],
      signerKeys: [COMPRESSED_KEY, OTHER_KEY],
    });
    expect((tx.auth.spendingCondition as MultiSigSpendingCondition).fields).toHaveLength(2);
    const answer = both(tx);
    expect(answer.ours).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.ours).toBe(answer.library);
  });
});

describe('initialSighashOf', () => {
  it.each([
    ['a standard single-sig transfer', {}],
    ['an uncompressed key', { senderKey: UNCOMPRESSED_KEY }],
    ['a sponsored origin (the sponsor condition is cleared to the sentinel)', { sponsored: true }],
    [
      'a multi-signature origin',
      {
        numSignatures: 2,
        publicKeys: [privateKeyToPublic(COMPRESSED_KEY), privateKeyToPublic(OTHER_KEY)],
        signerKeys: [COMPRESSED_KEY, OTHER_KEY],
      },
    ],
  ])("equals the library's verifyBegin() for %s, from the bytes alone", async (_label, options) => {
    const tx = await transfer({ ...options, memo: 'memo after the authorization' });
    const expected = tx.verifyBegin();
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(initialSighashOf(tx.auth, serializeTransactionBytes(tx))).toBe(expected);
  });
});
