/**
 * The node's contract endpoints over real HTTP: read-only calls run in the VM
 * (`POST /v2/contracts/call-read/...`), with stacks-core's request errors and VM refusals, and
 * the contract interface (`GET /v2/contracts/interface/...`).
 */
import { Cl } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { GENESIS_BALANCES } from './genesis.ts';
import {
  account,
  devnetForTests,
  devnetToken,
  getJson,
  postJson,
  postTransaction,
  sip010Transfer,
} from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

const sbtc = devnetToken('sBTC');
const usdcx = devnetToken('USDCx');
const path = (token: typeof sbtc, fn: string) =>
  `/v2/contracts/call-read/${token.deployer}/${token.contractName}/${fn}`;
const hexArg = (value: Parameters<typeof Cl.serialize>[0]) => `0x${Cl.serialize(value)}`;

describe('POST /v2/contracts/call-read/{address}/{contract}/{function}', () => {
  it('runs the SIP-010 read-only functions and answers the serialized result', async () => {
    const holder = account(devnet, 'wallet_1').address;
    const call = (token: typeof sbtc, fn: string, args: string[] = []) =>
      postJson(devnet, path(token, fn), { sender: holder, arguments: args });

    expect(await call(sbtc, 'get-balance', [hexArg(Cl.principal(holder))])).toEqual({
      status: 200,
      // (ok u1000000000): 10 sBTC in sats.
      body: { okay: true, result: '0x07010000000000000000000000003b9aca00' },
    });
    expect(await call(usdcx, 'get-name')).toEqual({
      status: 200,
      body: { okay: true, result: '0x070d000000055553444378' }, // (ok "USDCx")
    });
    expect(await call(sbtc, 'get-decimals')).toEqual({
      status: 200,
      body: { okay: true, result: '0x070100000000000000000000000000000008' }, // (ok u8)
    });
    expect(await call(usdcx, 'get-decimals')).toEqual({
      status: 200,
      body: { okay: true, result: '0x070100000000000000000000000000000006' }, // (ok u6)
    });
    // Arguments without `0x` are read too, as the node reads them.
    const bare = await call(usdcx, 'get-balance', [Cl.serialize(Cl.principal(holder))]);
    expect(bare.body).toEqual({
      okay: true,
      result: hexArg(Cl.ok(Cl.uint(GENESIS_BALANCES.USDCx))),
    });
  });

  it('reads the state of the latest block', async () => {
    const payer = account(devnet, 'wallet_2');
    const tx = await sip010Transfer(sbtc, payer, account(devnet, 'wallet_3').address, {
      amount: 777n,
      fee: 500n,
      nonce: 0n,
    });
    expect((await postTransaction(devnet, tx.serializeBytes())).status).toBe(200);
    const balance = () =>
      postJson(devnet, path(sbtc, 'get-balance'), {
        sender: payer.address,
        arguments: [hexArg(Cl.principal(payer.address))],
      });
    // Pending: not yet.
    expect((await balance()).body).toEqual({
      okay: true,
      result: hexArg(Cl.ok(Cl.uint(GENESIS_BALANCES.sBTC))),
    });
    await devnet.mineBlock();
    expect((await balance()).body).toEqual({
      okay: true,
      result: hexArg(Cl.ok(Cl.uint(GENESIS_BALANCES.sBTC - 777n))),
    });
  });

  it('answers what the VM refuses with okay false and the VM error', async () => {
    const sender = account(devnet, 'wallet_1').address;
    const refusal = async (urlPath: string, args: string[] = []) =>
      (await postJson(devnet, urlPath, { sender, arguments: args })).body;
    expect(await refusal(path(sbtc, 'get-balance'))).toEqual({
      okay: false,
      cause: 'RuntimeCheck(IncorrectArgumentCount(1, 0))',
    });
    expect(await refusal(path(sbtc, 'get-balance'), [hexArg(Cl.uint(1n))])).toEqual({
      okay: false,
      cause: 'RuntimeCheck(TypeValueError(PrincipalType, "UInt(1)"))',
    });
    expect(await refusal(path(sbtc, 'no-such-function'))).toEqual({
      okay: false,
      cause: 'RuntimeCheck(UndefinedFunction("no-such-function"))',
    });
    expect(await refusal(path(sbtc, 'transfer'))).toEqual({ okay: false, cause: 'NotReadOnly' });
    expect(await refusal(`/v2/contracts/call-read/${sbtc.deployer}/nope/get-name`)).toEqual({
      okay: false,
      cause: `RuntimeCheck(NoSuchContract("${sbtc.deployer}.nope"))`,
    });
  });

  it('answers a malformed request with 400 and stacks-core’s plain-text message', async () => {
    const sender = account(devnet, 'wallet_1').address;
    const url = `${devnet.url}${path(usdcx, 'get-name')}`;
    const post = async (body: string, contentType = 'application/json') => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      return { status: response.status, text: await response.text() };
    };
    const valid = JSON.stringify({ sender, arguments: [] });
    expect(await post(valid, 'text/plain')).toEqual({
      status: 400,
      text: 'Invalid content-type: expected application/json',
    });
    expect(await post('{"sender": 1}')).toEqual({ status: 400, text: 'Failed to parse JSON body' });
    expect(await post(JSON.stringify({ sender: 'nobody', arguments: [] }))).toEqual({
      status: 400,
      text: 'Failed to parse sender principal',
    });
    expect(await post(JSON.stringify({ sender, arguments: ['0xzz'] }))).toEqual({
      status: 400,
      text: 'Failed to deserialize argument value',
    });
    expect(await post(JSON.stringify({ sender, arguments: [`${hexArg(Cl.uint(1n))}00`] }))).toEqual(
      { status: 400, text: 'Failed to deserialize argument value' },
    );
  });
});

describe('GET /v2/contracts/interface/{address}/{contract}', () => {
  it('serves the ABI the VM derived, and 404 for an unknown contract', async () => {
    const abi = await getJson<{
      functions: Array<{ name: string; access: string }>;
      fungible_tokens: unknown;
    }>(devnet, `/v2/contracts/interface/${usdcx.deployer}/${usdcx.contractName}`);
    expect(abi.status).toBe(200);
    expect(abi.body).toMatchObject({
      variables: [
        {
          name: 'err-not-deployer',
          type: { response: { ok: 'none', error: 'uint128' } },
          access: 'constant',
        },
        {
          name: 'err-sender-not-caller',
          type: { response: { ok: 'none', error: 'uint128' } },
          access: 'constant',
        },
        { name: 'token-deployer', type: 'principal', access: 'constant' },
      ],
      maps: [],
      fungible_tokens: [{ name: 'usdcx-token' }],
      non_fungible_tokens: [],
      epoch: 'Epoch33',
      clarity_version: 'Clarity4',
    });
    expect(abi.body.functions.map(({ name, access }) => `${access} ${name}`)).toEqual([
      'public mint',
      'public transfer',
      'read_only get-balance',
      'read_only get-decimals',
      'read_only get-name',
      'read_only get-symbol',
      'read_only get-token-uri',
      'read_only get-total-supply',
    ]);
    expect(abi.body.functions[1]).toEqual({
      name: 'transfer',
      access: 'public',
      args: [
        { name: 'amount', type: 'uint128' },
        { name: 'sender', type: 'principal' },
        { name: 'recipient', type: 'principal' },
        { name: 'memo', type: { optional: { buffer: { length: 34 } } } },
      ],
      outputs: { type: { response: { ok: 'bool', error: 'uint128' } } },
    });

    const missing = await fetch(`${devnet.url}/v2/contracts/interface/${usdcx.deployer}/nope`);
    expect({ status: missing.status, text: await missing.text() }).toEqual({
      status: 404,
      text: 'No contract interface data found',
    });
  });
});
