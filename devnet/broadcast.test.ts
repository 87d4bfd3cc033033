/**
 * `POST /v2/transactions`: what the devnet admits and what it refuses, with the reason names and
 * `reason_data` a Stacks node sends. Blocks are mined on demand here, so the mempool is stable.
 */
import { STACKS_TESTNET } from '@stacks/network';
import {
  broadcastTransaction,
  Cl,
  getAddressFromPrivateKey,
  makeContractCall,
  makeSTXTokenTransfer,
  randomPrivateKey,
  txidFromData,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetToken,
  postTransaction,
  sip010Transfer,
  stxTransfer,
  tokenTransferCall,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

function u128Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(32, '0')}`;
}

// Each test uses its own accounts (wallet_1 only for transactions that are refused), so the
// mempool left by one test never changes another's outcome.
describe('refused broadcasts', () => {
  it('refuses a transaction whose signature was tampered with: SignatureValidation', async () => {
    const tx = await stxTransfer(account(devnet, 'wallet_1'), account(devnet, 'wallet_2').address, {
      amount: 100n,
      fee: 300n,
      nonce: 0n,
    });
    const bytes = tx.serializeBytes();
    // version(1) chain id(4) auth type(1) hash mode(1) signer(20) nonce(8) fee(8) key encoding(1),
    // then the 65-byte signature: flip a byte of R.
    bytes[44 + 10] ^= 0x01;
    const result = await postTransaction(devnet, bytes);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      error: 'transaction rejected',
      reason: 'SignatureValidation',
      txid: txidFromData(bytes),
    });
    expect((result.body as { reason_data: { message: string } }).reason_data.message).toMatch(
      /^Failed to verify origin: /,
    );
  });

  it('refuses a mainnet transaction: BadTransactionVersion', async () => {
    const tx = await makeSTXTokenTransfer({
      recipient: 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7',
      amount: 100n,
      senderKey: account(devnet, 'wallet_1').privateKey,
      network: 'mainnet',
      fee: 300n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 400,
      body: { error: 'transaction rejected', reason: 'BadTransactionVersion', txid: tx.txid() },
    });
  });

  it('refuses a testnet transaction signed for another chain id, as stacks-core does', async () => {
    const tx = await makeSTXTokenTransfer({
      recipient: account(devnet, 'wallet_2').address,
      amount: 100n,
      senderKey: account(devnet, 'wallet_1').privateKey,
      network: { ...STACKS_TESTNET, chainId: 0x80000001 },
      fee: 300n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 400,
      body: {
        error: 'transaction rejected',
        reason: 'SignatureValidation',
        reason_data: {
          message: `Invalid tx ${tx.txid()}: invalid chain ID 2147483649 (expected 2147483648)`,
        },
        txid: tx.txid(),
      },
    });
  });

  it('refuses a fee below 1 µSTX per byte: FeeTooLow', async () => {
    const tx = await stxTransfer(account(devnet, 'wallet_1'), account(devnet, 'wallet_2').address, {
      amount: 100n,
      fee: 179n,
      nonce: 0n,
    });
    expect(tx.serializeBytes().length).toBe(180);
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 400,
      body: {
        error: 'transaction rejected',
        reason: 'FeeTooLow',
        reason_data: { expected: 180, actual: 179 },
        txid: tx.txid(),
      },
    });
  });

  it('refuses more than the balance: NotEnoughFunds, amounts as u128 hex', async () => {
    const sender = account(devnet, 'wallet_1');
    const tx = await stxTransfer(sender, account(devnet, 'wallet_2').address, {
      amount: GENESIS_BALANCES.STX,
      fee: 200n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 400,
      body: {
        error: 'transaction rejected',
        reason: 'NotEnoughFunds',
        reason_data: {
          expected: u128Hex(GENESIS_BALANCES.STX + 200n),
          actual: u128Hex(GENESIS_BALANCES.STX),
        },
        txid: tx.txid(),
      },
    });
  });

  it('refuses a fee from an account that holds no STX: NotEnoughFunds', async () => {
    const key = randomPrivateKey();
    const token = devnetToken('sBTC');
    const tx = await tokenTransferCall(token, key, {
      amount: 1n,
      from: getAddressFromPrivateKey(key, 'testnet'),
      to: account(devnet, 'wallet_2').address,
      fee: 500n,
      nonce: 0n,
    });
    expect(await postTransaction(devnet, tx.serializeBytes())).toMatchObject({
      status: 400,
      body: {
        reason: 'NotEnoughFunds',
        reason_data: { expected: u128Hex(500n), actual: u128Hex(0n) },
      },
    });
  });

  it('counts what pending transactions will spend before admitting another', async () => {
    const sender = account(devnet, 'wallet_4');
    const to = account(devnet, 'wallet_5').address;
    const first = await stxTransfer(sender, to, {
      amount: GENESIS_BALANCES.STX - 1_000n,
      fee: 200n,
      nonce: 0n,
    });
    expect((await postTransaction(devnet, first.serializeBytes())).status).toBe(200);
    const second = await stxTransfer(sender, to, { amount: 700n, fee: 200n, nonce: 1n });
    expect(await postTransaction(devnet, second.serializeBytes())).toMatchObject({
      status: 400,
      body: {
        reason: 'NotEnoughFunds',
        reason_data: { expected: u128Hex(900n), actual: u128Hex(800n) },
      },
    });
  });

  it('refuses garbage: Deserialization', async () => {
    const garbage = Uint8Array.from([0x80, 0x00, 0x01, 0x02, 0x03]);
    const result = await postTransaction(devnet, garbage);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      error: 'transaction rejected',
      reason: 'Deserialization',
      txid: txidFromData(garbage),
    });
    expect((result.body as { reason_data: { message: string } }).reason_data.message).toMatch(
      /^Failed to deserialize posted transaction: /,
    );
    expect((await postTransaction(devnet, '{"tx":"zz"}', 'application/json')).body).toMatchObject({
      reason: 'Deserialization',
      reason_data: { message: 'Failed to parse tx' },
    });
  });

  it('refuses a transfer to oneself and calls the node would not run', async () => {
    const sender = account(devnet, 'wallet_1');
    const self = await stxTransfer(sender, sender.address, { amount: 5n, fee: 300n, nonce: 0n });
    expect((await postTransaction(devnet, self.serializeBytes())).body).toEqual({
      error: 'transaction rejected',
      reason: 'TransferRecipientCannotEqualSender',
      reason_data: { recipient: sender.address },
      txid: self.txid(),
    });

    const token = devnetToken('sBTC');
    const call = (contractName: string, functionName: string, args = [Cl.uint(1n)]) =>
      makeContractCall({
        contractAddress: token.deployer,
        contractName,
        functionName,
        functionArgs: args,
        senderKey: sender.privateKey,
        network: 'testnet',
        fee: 400n,
        nonce: 0n,
      });
    const reasonOf = async (tx: Awaited<ReturnType<typeof call>>) =>
      (await postTransaction(devnet, tx.serializeBytes())).body;
    expect(await reasonOf(await call('no-such-token', 'transfer'))).toMatchObject({
      reason: 'NoSuchContract',
    });
    expect(await reasonOf(await call(token.contractName, 'get-balance'))).toMatchObject({
      reason: 'NoSuchPublicFunction',
    });
    expect(await reasonOf(await call(token.contractName, 'transfer'))).toMatchObject({
      reason: 'BadFunctionArgument',
      reason_data: { message: 'IncorrectArgumentCount(4, 1)' },
    });
  });

  it('refuses a nonce too far ahead of the account: TooMuchChaining', async () => {
    const sender = account(devnet, 'wallet_1');
    const tx = await stxTransfer(sender, account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 300n,
      nonce: 27n,
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).body).toEqual({
      error: 'transaction rejected',
      reason: 'TooMuchChaining',
      reason_data: {
        message: 'Nonce would exceed chaining limit in mempool',
        expected: 26,
        actual: 27,
        principal: sender.address,
        is_origin: true,
      },
      txid: tx.txid(),
    });
  });

  it('hands broadcastTransaction the node’s rejection object', async () => {
    const tx = await stxTransfer(account(devnet, 'wallet_1'), account(devnet, 'wallet_2').address, {
      amount: 1n,
      fee: 1n,
      nonce: 0n,
    });
    const result = await broadcastTransaction({ transaction: tx, client: { baseUrl: devnet.url } });
    expect(result).toEqual({
      error: 'transaction rejected',
      reason: 'FeeTooLow',
      reason_data: { expected: 180, actual: 1 },
      txid: tx.txid(),
    });
  });
});

describe('admitted broadcasts', () => {
  it('admits an SIP-010 payment whose memo is at the 34-byte limit', async () => {
    const sender = account(devnet, 'wallet_7');
    const tx = await sip010Transfer(
      devnetToken('USDCx'),
      sender,
      account(devnet, 'wallet_8').address,
      {
        amount: 1n,
        fee: 400n,
        nonce: 0n,
        memo: new Uint8Array(34).fill(0x61),
      },
    );
    expect(await postTransaction(devnet, tx.serializeBytes())).toEqual({
      status: 200,
      body: tx.txid(),
    });
  });
});
