/**
 * `POST /stacks/decode/transaction` refuses what is not exactly one SIP-005 transaction (trailing
 * or missing bytes, a bad version byte, an argument the node would reject), malformed hex and
 * oversized input: each a free 400 with its code and reason, before any 402.
 */
import { Cl, makeContractCall, Pc } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/worker/support/app';
import { signPaymentFor } from '../../../test/worker/support/paid-request';
import { buildPayment, PAYER, PAYER_KEY } from '../../../test/worker/support/payments';
import { decodeTransactionRoute, MAX_TRANSACTION_BYTES } from './decode-transaction';

const PATH = '/stacks/decode/transaction';

/** A signed STX transfer (the test payment, 180 bytes) whose bytes we can alter. */
const signedTransferHex = async () => (await buildPayment()).serialize();

describe('POST /stacks/decode/transaction: invalid input is a free 400, before any 402', () => {
  it('rejects trailing, missing and malformed bytes, each with its reason', async () => {
    const hex = await signedTransferHex();
    const cases: [string, unknown, string, string][] = [
      [
        'trailing bytes',
        { hex: `${hex}00` },
        'invalid_transaction',
        '1 byte(s) follow the transaction, which ends at byte 180',
      ],
      [
        'a truncated memo',
        { hex: hex.slice(0, -2) },
        'invalid_transaction',
        'its payload is invalid: the bytes end inside the memo',
      ],
      [
        'a truncated authorization',
        { hex: hex.slice(0, 100) },
        'invalid_transaction',
        'the bytes end before the transaction does',
      ],
      [
        'version byte 0x01',
        { hex: `01${hex.slice(2)}` },
        'invalid_transaction',
        'its version byte is 0x01; it must be 0x00 (mainnet) or 0x80 (testnet)',
      ],
      [
        'odd hex',
        { hex: `${hex}0` },
        'invalid_hex',
        'it has an odd number of hex digits; each byte is two digits',
      ],
      [
        'not hex',
        { hex: `0x${hex.slice(0, -2)}zz` },
        'invalid_hex',
        'it must contain only hex digits (0-9, a-f), after an optional 0x',
      ],
      [
        'too large',
        { hex: '00'.repeat(MAX_TRANSACTION_BYTES + 1) },
        'transaction_too_large',
        `the transaction is ${MAX_TRANSACTION_BYTES + 1} bytes; the limit is ${MAX_TRANSACTION_BYTES}`,
      ],
    ];
    const app = testApp([decodeTransactionRoute]);
    for (const [label, body, code, reason] of cases) {
      const res = await app.post(PATH, body);
      expect(res.status, label).toBe(400);
      expect(res.headers.get('payment-required'), label).toBeNull();
      const prefix = code === 'invalid_transaction' ? 'not a Stacks transaction (SIP-005): ' : '';
      expect(await res.json(), label).toMatchObject({
        code,
        message: `The request is invalid (nothing was charged): hex: ${prefix}${reason}.`,
      });
    }
    expect(app.settler.settled).toHaveLength(0);
  });

  it('rejects a contract call whose argument the node would reject', async () => {
    const tx = await makeContractCall({
      senderKey: PAYER_KEY,
      contractAddress: PAYER,
      contractName: 'c',
      functionName: 'f',
      functionArgs: [Cl.stringAscii('ok')],
      fee: 400n,
      nonce: 0n,
      network: 'testnet',
    });
    // "ok" -> "o\x00": a string-ascii may not hold a NUL byte (stacks.js decodes it anyway).
    const hex = tx.serialize().replace(/0d000000026f6b$/, '0d000000026f00');
    const app = testApp([decodeTransactionRoute]);
    const { header } = await signPaymentFor(app, PATH, { body: { hex: tx.serialize() } });
    const res = await app.post(PATH, { hex }, { 'payment-signature': header });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'invalid_transaction',
      message:
        'The request is invalid (nothing was charged): hex: not a Stacks transaction (SIP-005): its payload is invalid: argument 1 of 1: the string-ascii at byte 145 is invalid: byte 0x00 is not a printable ASCII character.',
    });
    expect(app.settler.settled).toHaveLength(0);
  });

  it('rejects a token id the node would reject in a non-fungible post-condition', async () => {
    const tx = await makeContractCall({
      senderKey: PAYER_KEY,
      contractAddress: PAYER,
      contractName: 'c',
      functionName: 'f',
      functionArgs: [],
      // stacks.js builds and reads an empty tuple; Clarity has none.
      postConditions: [Pc.principal(PAYER).willSendAsset().nft(`${PAYER}.c::nft`, Cl.tuple({}))],
      fee: 400n,
      nonce: 0n,
      network: 'testnet',
    });
    const res = await testApp([decodeTransactionRoute]).post(PATH, { hex: tx.serialize() });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'The request is invalid (nothing was charged): hex: not a Stacks transaction (SIP-005): post-condition 1 names its token with an invalid Clarity value: the tuple at byte 0 is invalid: Clarity has no empty tuples.',
    );
  });

  it('rejects a body without hex, with a non-string hex or with unknown fields', async () => {
    const hex = await signedTransferHex();
    const app = testApp([decodeTransactionRoute]);
    for (const body of [{}, { hex: 7 }, { hex, extra: true }]) {
      const res = await app.post(PATH, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_request');
    }
    expect(app.settler.settled).toHaveLength(0);
  });
});
