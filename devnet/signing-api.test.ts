/**
 * Every node endpoint @stacks/transactions 7.6 calls while building, sponsoring and broadcasting,
 * answered by the devnet with the node's shapes: fee estimation (`POST /v2/fees/transaction`,
 * `GET /v2/fees/transfer`), nonces (`/extended/v1/address/{a}/nonces`, `/v2/accounts/{a}`),
 * contract ABI, read-only calls, map entries and broadcast, exercised through the library's own
 * fetchers against real HTTP (blocks on demand).
 */
import {
  AuthType,
  broadcastTransaction,
  Cl,
  fetchAbi,
  fetchCallReadOnlyFunction,
  fetchContractMapEntry,
  fetchFeeEstimateTransaction,
  fetchFeeEstimateTransfer,
  fetchNonce,
  makeContractCall,
  makeSTXTokenTransfer,
  serializePayload,
  sponsorTransaction,
} from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { account, devnetForTests, devnetToken, holdings, postJson } from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });
const network = () => ({ network: 'testnet' as const, client: { baseUrl: devnet.url } });

describe('POST /v2/fees/transaction', () => {
  it('answers three estimations at 1, 2 and 4 µSTX per byte of the estimated length', async () => {
    const tx = await makeSTXTokenTransfer({
      recipient: account(devnet, 'wallet_2').address,
      amount: 5n,
      senderKey: account(devnet, 'wallet_1').privateKey,
      fee: 0n,
      nonce: 0n,
      network: 'testnet',
    });
    const payload = serializePayload(tx.payload);
    const res = await postJson(devnet, '/v2/fees/transaction', {
      transaction_payload: payload,
      estimated_len: 180,
    });
    expect(res).toEqual({
      status: 200,
      body: {
        estimated_cost: {
          write_length: 0,
          write_count: 0,
          read_length: 0,
          read_count: 0,
          runtime: 0,
        },
        estimated_cost_scalar: 1,
        cost_scalar_change_by_byte: 0.00476837158203125,
        estimations: [
          { fee_rate: 1, fee: 180 },
          { fee_rate: 2, fee: 360 },
          { fee_rate: 4, fee: 720 },
        ],
      },
    });
    // Without estimated_len: the payload plus a single-signature transaction's other bytes.
    const estimations = await fetchFeeEstimateTransaction({ payload, ...network() });
    expect(estimations.map((e) => e.fee)).toEqual(
      [1, 2, 4].map((rate) => rate * (payload.length / 2 + 115)),
    );
  });

  it('refuses a payload that does not decode, in the node’s error shape', async () => {
    expect(
      await postJson(devnet, '/v2/fees/transaction', { transaction_payload: '0xff00' }),
    ).toMatchObject({
      status: 400,
      body: { error: 'Invalid request', reason: 'InvalidPayload' },
    });
    expect((await postJson(devnet, '/v2/fees/transaction', {})).status).toBe(400);
  });
});

describe('building and sponsoring with no fee and no nonce given', () => {
  it('estimates the fee and reads the nonces from the devnet, then the sponsored transfer is mined', async () => {
    const payer = account(devnet, 'wallet_3');
    const sponsor = account(devnet, 'faucet');
    const token = devnetToken('sBTC');
    const [payerBefore, sponsorBefore] = [
      await holdings(devnet, payer.address),
      await holdings(devnet, sponsor.address),
    ];
    // As the aibtc MCP tool signs: allow mode, no post-conditions, sponsored, fee and nonce fetched.
    const unsigned = await makeContractCall({
      contractAddress: token.deployer,
      contractName: token.contractName,
      functionName: 'transfer',
      functionArgs: [
        Cl.uint(7),
        Cl.principal(payer.address),
        Cl.principal(sponsor.address),
        Cl.none(),
      ],
      postConditionMode: 'allow',
      senderKey: payer.privateKey,
      sponsored: true,
      ...network(),
    });
    expect(unsigned.auth.spendingCondition.fee).toBe(0n);
    expect(unsigned.auth.spendingCondition.nonce).toBe(BigInt(payerBefore.nonce));
    const sponsored = await sponsorTransaction({
      transaction: unsigned,
      sponsorPrivateKey: sponsor.privateKey,
      ...network(),
    });
    const length = BigInt(sponsored.serializeBytes().length);
    // The middle estimation (2 µSTX per byte of the estimated length) becomes the sponsor's fee.
    if (sponsored.auth.authType !== AuthType.Sponsored) throw new Error('sponsored auth expected');
    const fee = sponsored.auth.sponsorSpendingCondition.fee;
    expect(fee).toBe(2n * length);
    const result = await broadcastTransaction({ transaction: sponsored, ...network() });
    expect(result).toEqual({ txid: sponsored.txid() });
    await devnet.mineBlock();
    expect(await holdings(devnet, payer.address)).toMatchObject({
      stx: payerBefore.stx,
      nonce: payerBefore.nonce + 1,
      fungible: {
        ...payerBefore.fungible,
        [token.assetId]: payerBefore.fungible[token.assetId] - 7n,
      },
    });
    expect(await holdings(devnet, sponsor.address)).toMatchObject({
      stx: sponsorBefore.stx - fee,
      nonce: sponsorBefore.nonce + 1,
    });
    expect(await fetchNonce({ address: sponsor.address, ...network() })).toBe(
      BigInt(sponsorBefore.nonce + 1),
    );
  });

  it('estimates a transfer fee from GET /v2/fees/transfer at 1 µSTX per byte', async () => {
    const tx = await makeSTXTokenTransfer({
      recipient: account(devnet, 'wallet_2').address,
      amount: 1n,
      senderKey: account(devnet, 'wallet_4').privateKey,
      nonce: 0n,
      fee: 0n,
      network: 'testnet',
    });
    expect(await fetchFeeEstimateTransfer({ transaction: tx, ...network() })).toBe(
      BigInt(tx.serializeBytes().length),
    );
  });
});

describe('contract reads a client makes', () => {
  it('fetches the ABI and calls a read-only function', async () => {
    const token = devnetToken('USDCx');
    const abi = await fetchAbi({
      contractAddress: token.deployer,
      contractName: token.contractName,
      ...network(),
    });
    expect(abi.functions.map((fn) => fn.name)).toContain('transfer');
    const decimals = await fetchCallReadOnlyFunction({
      contractAddress: token.deployer,
      contractName: token.contractName,
      functionName: 'get-decimals',
      functionArgs: [],
      senderAddress: account(devnet, 'wallet_1').address,
      ...network(),
    });
    expect(decimals).toEqual(Cl.ok(Cl.uint(6)));
  });

  it('answers a map entry with none where no entry exists, and 400 for a key that is not Clarity', async () => {
    const token = devnetToken('sBTC');
    const entry = await fetchContractMapEntry({
      contractAddress: token.deployer,
      contractName: token.contractName,
      mapName: 'balances',
      mapKey: Cl.principal(account(devnet, 'wallet_1').address),
      ...network(),
    });
    expect(entry).toEqual(Cl.none());
    const res = await fetch(
      `${devnet.url}/v2/map_entry/${token.deployer}/${token.contractName}/m?proof=0`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('0xzz'),
      },
    );
    expect(res.status).toBe(400);
  });
});
