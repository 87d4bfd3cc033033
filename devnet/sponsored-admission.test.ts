/**
 * Sponsor nonces as a node treats them: one sequence per account whether it signs as origin or as
 * sponsor, a nonce taken in the mempool refused (ConflictingNonceInMempool), a used one refused
 * (BadNonce naming the sponsor), and a sponsor nonce gap holding back what follows it.
 */
import {
  makeSTXTokenTransfer,
  type StacksTransactionWire,
  sponsorTransaction,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import type { DevnetAccount } from './accounts.ts';
import { account, devnetForTests, getJson, postTransaction } from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

async function sponsoredTransfer(
  origin: DevnetAccount,
  sponsor: DevnetAccount,
  nonce: bigint,
  sponsorNonce: bigint,
): Promise<StacksTransactionWire> {
  const unsigned = await makeSTXTokenTransfer({
    recipient: account(devnet, 'wallet_8').address,
    amount: 10n,
    senderKey: origin.privateKey,
    network: 'testnet',
    nonce,
    fee: 0n,
    sponsored: true,
  });
  return sponsorTransaction({
    transaction: unsigned,
    sponsorPrivateKey: sponsor.privateKey,
    fee: 1000n,
    sponsorNonce,
  });
}

const status = async (txid: string) =>
  (await getJson<{ tx_status: string }>(devnet, `/extended/v1/tx/0x${txid}`)).body.tx_status;

describe('sponsor nonces', () => {
  it('refuses a sponsored transaction whose sponsor nonce the sponsor already spends as origin', async () => {
    const sponsor = account(devnet, 'faucet');
    const own = await makeSTXTokenTransfer({
      recipient: account(devnet, 'wallet_8').address,
      amount: 1n,
      senderKey: sponsor.privateKey,
      network: 'testnet',
      nonce: 0n,
      fee: 5000n,
    });
    expect((await postTransaction(devnet, own.serializeBytes())).status).toBe(200);
    const clash = await sponsoredTransfer(account(devnet, 'wallet_5'), sponsor, 0n, 0n);
    expect(await postTransaction(devnet, clash.serializeBytes())).toEqual({
      status: 400,
      body: {
        error: 'transaction rejected',
        reason: 'ConflictingNonceInMempool',
        txid: clash.txid(),
      },
    });
    await devnet.mineBlock();
    // Once mined, the used nonce is a BadNonce that names the sponsor.
    const late = await sponsoredTransfer(account(devnet, 'wallet_5'), sponsor, 0n, 0n);
    expect(await postTransaction(devnet, late.serializeBytes())).toMatchObject({
      status: 400,
      body: {
        reason: 'BadNonce',
        reason_data: { expected: 1, actual: 0, principal: sponsor.address, is_origin: false },
      },
    });
  });

  it('holds a sponsored transaction behind a gap in its sponsor’s nonces until the gap is filled', async () => {
    const sponsor = account(devnet, 'wallet_6');
    const ahead = await sponsoredTransfer(account(devnet, 'wallet_5'), sponsor, 0n, 1n);
    expect((await postTransaction(devnet, ahead.serializeBytes())).status).toBe(200);
    await devnet.mineBlock();
    expect(await status(ahead.txid())).toBe('pending');
    const filler = await sponsoredTransfer(account(devnet, 'wallet_7'), sponsor, 0n, 0n);
    expect((await postTransaction(devnet, filler.serializeBytes())).status).toBe(200);
    await devnet.mineBlock();
    expect([await status(filler.txid()), await status(ahead.txid())]).toEqual([
      'success',
      'success',
    ]);
  });
});
