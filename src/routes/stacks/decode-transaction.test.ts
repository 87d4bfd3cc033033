/**
 * `POST /stacks/decode/transaction`, paid for for real, on transactions built and signed here
 * with @stacks/transactions (fee and nonce always given). Expected values come from the inputs
 * of the builders and from stacks.js itself (txid, addresses derived from keys).
 */
import {
  Cl,
  getAddressFromPrivateKey,
  makeContractCall,
  makeContractDeploy,
  makeSTXTokenTransfer,
  Pc,
  type SingleSigSpendingCondition,
  type StacksTransactionWire,
  sponsorTransaction,
} from '@stacks/transactions';
import { c32addressDecode } from 'c32check';
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson } from '../../../test/worker/support/paid-request';
import {
  bytesToHex,
  OTHER,
  OTHER_KEY,
  PAY_TO,
  PAYER,
  PAYER_KEY,
} from '../../../test/worker/support/payments';
import { decodeTransactionRoute } from './decode-transaction';

const PATH = '/stacks/decode/transaction';
const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';
const paidDecode = (app: TestApp, hex: string, nonce = 0) =>
  paidJson<Record<string, unknown>>(app, PATH, {
    body: { hex },
    payment: { nonce: BigInt(nonce) },
  });

const hexOf = (tx: StacksTransactionWire) => `0x${tx.serialize()}`;

describe('POST /stacks/decode/transaction (paid)', () => {
  it('decodes a testnet STX transfer with a memo, every field', async () => {
    const tx = await makeSTXTokenTransfer({
      senderKey: PAYER_KEY,
      recipient: PAY_TO,
      amount: 1000n,
      memo: 'hello',
      fee: 500n,
      nonce: 0n,
      network: 'testnet',
    });
    const signature = (tx.auth.spendingCondition as SingleSigSpendingCondition).signature.data;
    expect(signature).toMatch(/^[0-9a-f]{130}$/);
    expect(await paidDecode(testApp([decodeTransactionRoute]), hexOf(tx))).toEqual({
      txid: `0x${tx.txid()}`,
      network: 'testnet',
      chainId: 0x80000000,
      byteLength: 180,
      authType: 'standard',
      sender: PAYER,
      hashMode: 'p2pkh',
      signer: '0x7321b74e2b6a7e949e6c4ad313035b1665095017',
      nonce: '0',
      fee: '500',
      anchorMode: 'any',
      postConditionMode: 'deny',
      postConditions: [],
      payload: {
        type: 'token_transfer',
        recipient: PAY_TO,
        amount: '1000',
        memo: 'hello',
        memoHex: `0x${bytesToHex(new TextEncoder().encode('hello'))}${'00'.repeat(29)}`,
      },
      signatureValid: true,
    });
  });

  it('decodes a mainnet transfer: version 0x00, chain id 1, SP sender', async () => {
    const recipient = getAddressFromPrivateKey(OTHER_KEY, 'mainnet');
    const tx = await makeSTXTokenTransfer({
      senderKey: PAYER_KEY,
      recipient,
      amount: 123_456_789n,
      fee: 180n,
      nonce: 42n,
      network: 'mainnet',
    });
    expect(await paidDecode(testApp([decodeTransactionRoute]), hexOf(tx))).toMatchObject({
      txid: `0x${tx.txid()}`,
      network: 'mainnet',
      chainId: 1,
      sender: getAddressFromPrivateKey(PAYER_KEY, 'mainnet'),
      nonce: '42',
      fee: '180',
      payload: {
        type: 'token_transfer',
        recipient,
        amount: '123456789',
        memo: '',
        memoHex: `0x${'00'.repeat(34)}`,
      },
      signatureValid: true,
    });
  });

  it('decodes a contract call: arguments as Clarity literals, every kind of post-condition', async () => {
    const tx = await makeContractCall({
      senderKey: PAYER_KEY,
      contractAddress: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT',
      contractName: 'sbtc-token',
      functionName: 'transfer',
      functionArgs: [
        Cl.uint(2500),
        Cl.principal(PAYER),
        Cl.principal(`${PAY_TO}.vault`),
        Cl.some(Cl.bufferFromHex('cafe')),
        Cl.tuple({ ids: Cl.list([Cl.int(-1), Cl.int(2)]), note: Cl.stringUtf8('déjà') }),
        Cl.none(),
      ],
      postConditionMode: 'deny',
      postConditions: [
        Pc.principal(PAYER).willSendEq(2500n).ft(SBTC, 'sbtc-token'),
        Pc.origin().willSendLte(10n).ustx(),
        Pc.principal(`${PAY_TO}.vault`).willSendGte(1n).ustx(),
        Pc.principal(PAYER)
          .willNotSendAsset()
          .nft(`${PAY_TO}.nfts::badge`, Cl.tuple({ id: Cl.uint(7) })),
      ],
      fee: 3000n,
      nonce: 5n,
      network: 'testnet',
    });
    expect(await paidDecode(testApp([decodeTransactionRoute]), hexOf(tx))).toEqual({
      txid: `0x${tx.txid()}`,
      network: 'testnet',
      chainId: 0x80000000,
      byteLength: tx.serializeBytes().length,
      authType: 'standard',
      sender: PAYER,
      hashMode: 'p2pkh',
      signer: '0x7321b74e2b6a7e949e6c4ad313035b1665095017',
      nonce: '5',
      fee: '3000',
      anchorMode: 'any',
      postConditionMode: 'deny',
      postConditions: [
        {
          type: 'fungible',
          principal: PAYER,
          condition: 'eq',
          amount: '2500',
          asset: `${SBTC}::sbtc-token`,
        },
        { type: 'stx', principal: PAYER, condition: 'lte', amount: '10' },
        { type: 'stx', principal: `${PAY_TO}.vault`, condition: 'gte', amount: '1' },
        {
          type: 'non-fungible',
          principal: PAYER,
          condition: 'not-sent',
          asset: `${PAY_TO}.nfts::badge`,
          assetId: '(tuple (id u7))',
        },
      ],
      payload: {
        type: 'contract_call',
        contractId: SBTC,
        contractAddress: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT',
        contractName: 'sbtc-token',
        functionName: 'transfer',
        args: [
          { type: 'uint', repr: 'u2500' },
          { type: 'address', repr: `'${PAYER}` },
          { type: 'contract', repr: `'${PAY_TO}.vault` },
          { type: 'some', repr: '(some 0xcafe)' },
          { type: 'tuple', repr: '(tuple (ids (list -1 2)) (note u"d\\u{c3a9}j\\u{c3a0}"))' },
          { type: 'none', repr: 'none' },
        ],
      },
      signatureValid: true,
    });
  });

  it('decodes a sponsored contract call: origin and sponsor, each with its nonce and fee', async () => {
    const unsponsored = await makeContractCall({
      senderKey: PAYER_KEY,
      contractAddress: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT',
      contractName: 'sbtc-token',
      functionName: 'get-balance',
      functionArgs: [Cl.principal(PAYER)],
      sponsored: true,
      fee: 0n,
      nonce: 3n,
      network: 'testnet',
    });
    const tx = await sponsorTransaction({
      transaction: unsponsored,
      sponsorPrivateKey: OTHER_KEY,
      fee: 1000n,
      sponsorNonce: 7n,
      network: 'testnet',
    });
    expect(await paidDecode(testApp([decodeTransactionRoute]), hexOf(tx))).toEqual({
      txid: `0x${tx.txid()}`,
      network: 'testnet',
      chainId: 0x80000000,
      byteLength: tx.serializeBytes().length,
      authType: 'sponsored',
      sender: PAYER,
      hashMode: 'p2pkh',
      signer: `0x${c32addressDecode(PAYER)[1]}`,
      nonce: '3',
      fee: '0',
      sponsor: {
        address: OTHER,
        hashMode: 'p2pkh',
        signer: `0x${c32addressDecode(OTHER)[1]}`,
        nonce: '7',
        fee: '1000',
      },
      anchorMode: 'any',
      postConditionMode: 'deny',
      postConditions: [],
      payload: {
        type: 'contract_call',
        contractId: SBTC,
        contractAddress: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT',
        contractName: 'sbtc-token',
        functionName: 'get-balance',
        args: [{ type: 'address', repr: `'${PAYER}` }],
      },
      signatureValid: true,
    });
  });

  it('decodes a versioned contract deploy', async () => {
    const codeBody = '(define-read-only (hello) "hi")';
    const deploy = await makeContractDeploy({
      senderKey: PAYER_KEY,
      contractName: 'hello-world',
      codeBody,
      clarityVersion: 3,
      fee: 2000n,
      nonce: 1n,
      network: 'testnet',
    });
    const app = testApp([decodeTransactionRoute]);
    expect(await paidDecode(app, hexOf(deploy), 0)).toEqual({
      txid: `0x${deploy.txid()}`,
      network: 'testnet',
      chainId: 0x80000000,
      byteLength: deploy.serializeBytes().length,
      authType: 'standard',
      sender: PAYER,
      hashMode: 'p2pkh',
      signer: `0x${c32addressDecode(PAYER)[1]}`,
      nonce: '1',
      fee: '2000',
      anchorMode: 'any',
      postConditionMode: 'deny',
      postConditions: [],
      payload: {
        type: 'smart_contract',
        contractId: `${PAYER}.hello-world`,
        contractName: 'hello-world',
        clarityVersion: 3,
        codeLength: codeBody.length,
      },
      signatureValid: true,
    });
  });
});
