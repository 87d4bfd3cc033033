/**
 * `signatureValid` of `POST /stacks/decode/transaction`: SIP-005 "Transaction Signing and
 * Verifying", checked on signatures made here, then altered (a flipped bit, the high-S twin, a
 * memo changed after signing), on a multi-sig origin, and on tuple arguments, which the node
 * hashes with their fields in byte order.
 */
import {
  AddressHashMode,
  AddressVersion,
  AuthType,
  addressFromPublicKeys,
  addressToString,
  Cl,
  createMessageSignature,
  createStacksPublicKey,
  deserializeTransaction,
  intoInitialSighashAuth,
  makeContractCall,
  makeSTXTokenTransfer,
  makeUnsignedContractCall,
  nextSignature,
  privateKeyToPublic,
  type SingleSigSpendingCondition,
  type StacksTransactionWire,
  serializeAuthorizationBytes,
  serializeCV,
  txidFromData,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson } from '../../../test/worker/support/paid-request';
import {
  buildPayment,
  bytesToHex,
  hexToBytes,
  OTHER_KEY,
  PAY_TO,
  PAYER,
  PAYER_KEY,
} from '../../../test/worker/support/payments';
import { serializeClarityValue } from '../../stacks/clarity/serialize';
import { decodeTransactionRoute } from './decode-transaction';

const PATH = '/stacks/decode/transaction';
const paidDecode = (app: TestApp, hex: string, nonce = 0) =>
  paidJson<Record<string, unknown>>(app, PATH, {
    body: { hex },
    payment: { nonce: BigInt(nonce) },
  });

const hexOf = (tx: StacksTransactionWire) => `0x${tx.serialize()}`;

/** A signed STX transfer (the test payment, 180 bytes) whose bytes we can alter. */
const signedTransferHex = async () => (await buildPayment()).serialize();

/** Offset of the 65-byte signature in a standard single-sig auth: 5 + 1 + 1 + 20 + 8 + 8 + 1. */
const SIGNATURE_AT = 44;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('signatureValid', () => {
  it('verifies a 2-of-2 multi-sig origin and names its SN sender (hash mode P2SH)', async () => {
    const multisig = await makeSTXTokenTransfer({
      recipient: PAY_TO,
      amount: 5n,
      numSignatures: 2,
      publicKeys: [
        privateKeyToPublic(PAYER_KEY) as string,
        privateKeyToPublic(OTHER_KEY) as string,
      ],
      signerKeys: [PAYER_KEY, OTHER_KEY],
      fee: 600n,
      nonce: 0n,
      network: 'testnet',
    });
    const app = testApp([decodeTransactionRoute]);
    const sn = addressFromPublicKeys(AddressVersion.TestnetMultiSig, AddressHashMode.P2SH, 2, [
      createStacksPublicKey(privateKeyToPublic(PAYER_KEY)),
      createStacksPublicKey(privateKeyToPublic(OTHER_KEY)),
    ]);
    expect(await paidDecode(app, hexOf(multisig))).toMatchObject({
      txid: `0x${multisig.txid()}`,
      sender: addressToString(sn),
      hashMode: 'p2sh',
      signer: `0x${sn.hash160}`,
      signatureValid: true,
    });
  });

  it('is false for a tampered signature, with the reason', async () => {
    const hex = await signedTransferHex();
    const bytes = hexToBytes(hex);
    bytes[SIGNATURE_AT + 10] ^= 0x01;
    const decoded = await paidDecode(testApp([decodeTransactionRoute]), bytesToHex(bytes));
    expect(decoded.signatureValid).toBe(false);
    expect(decoded.signatureProblem).toMatch(/^the origin signature does not verify \(.+\)$/);
  });

  it('is false for the high-S twin of a valid signature (SIP-005 requires the low S)', async () => {
    const hex = await signedTransferHex();
    const bytes = hexToBytes(hex);
    const s = BigInt(`0x${bytesToHex(bytes.subarray(SIGNATURE_AT + 33, SIGNATURE_AT + 65))}`);
    bytes.set(hexToBytes((SECP256K1_N - s).toString(16).padStart(64, '0')), SIGNATURE_AT + 33);
    bytes[SIGNATURE_AT] ^= 0x01; // the recovery id's parity flips with S
    expect(await paidDecode(testApp([decodeTransactionRoute]), bytesToHex(bytes))).toMatchObject({
      signatureValid: false,
      signatureProblem: 'a signature has a high S value (SIP-005 requires the low S)',
    });
  });

  it('is false for a memo changed after signing, whose raw bytes are still shown', async () => {
    const hex = await signedTransferHex();
    const bytes = hexToBytes(hex);
    bytes.set([0xff, 0x41], bytes.length - 34);
    expect(await paidDecode(testApp([decodeTransactionRoute]), bytesToHex(bytes))).toMatchObject({
      payload: { memo: '\uFFFDA', memoHex: `0xff41${'00'.repeat(32)}` },
      signatureValid: false,
    });
  });

  it('follows the node on tuple arguments: it hashes them with fields in byte order', async () => {
    // stacks.js writes (and signs) {a, B} in localeCompare order; the node re-serializes the
    // tuple in byte order (B first) before computing the txid and the signature hash.
    const args = [Cl.tuple({ a: Cl.uint(1), B: Cl.uint(2) })];
    const call = {
      contractAddress: PAYER,
      contractName: 'c',
      functionName: 'f',
      functionArgs: args,
      fee: 400n,
      nonce: 9n,
      network: 'testnet',
    } as const;
    const app = testApp([decodeTransactionRoute]);
    const localeOrder = serializeCV(args[0]);
    const byteOrder = bytesToHex(serializeClarityValue(args[0]));
    expect(localeOrder).not.toBe(byteOrder);

    const signedByStacksJs = await makeContractCall({ ...call, senderKey: PAYER_KEY });
    const nodeBytes = hexToBytes(signedByStacksJs.serialize().replace(localeOrder, byteOrder));
    expect(await paidDecode(app, signedByStacksJs.serialize(), 0)).toMatchObject({
      txid: `0x${txidFromData(nodeBytes)}`,
      payload: { args: [{ type: 'tuple', repr: '(tuple (B u2) (a u1))' }] },
      signatureValid: false,
    });

    // Signed over the node's serialization instead (SIP-005 signing, by hand): valid.
    const unsigned = await makeUnsignedContractCall({
      ...call,
      publicKey: privateKeyToPublic(PAYER_KEY) as string,
    });
    const rest = hexToBytes(unsigned.serialize().replace(localeOrder, byteOrder));
    const authLength = serializeAuthorizationBytes(unsigned.auth).length;
    const body = rest.subarray(5 + authLength);
    const join = (auth: Uint8Array) => Uint8Array.from([...rest.subarray(0, 5), ...auth, ...body]);
    const sighash = txidFromData(
      join(serializeAuthorizationBytes(intoInitialSighashAuth(unsigned.auth))),
    );
    const { nextSig } = nextSignature(sighash, AuthType.Standard, 400n, 9n, PAYER_KEY);
    const condition = unsigned.auth.spendingCondition as SingleSigSpendingCondition;
    condition.signature = createMessageSignature(nextSig);
    const signed = join(serializeAuthorizationBytes(unsigned.auth));
    expect(await paidDecode(app, bytesToHex(signed), 1)).toMatchObject({
      txid: `0x${txidFromData(signed)}`,
      signatureValid: true,
    });
    // stacks.js re-serializes in its own order, so its txid for these bytes is not the node's.
    expect(deserializeTransaction(signed).txid()).not.toBe(txidFromData(signed));
  });
});
