/**
 * BNS names of the devnet accounts over real HTTP, in the Hiro API's BNS v1 shapes:
 * `GET /v1/names/{name}` and `GET /v1/addresses/stacks/{address}`.
 */
import { describe, expect, it } from 'vitest';
import { account, devnetForTests, getJson } from './test-support.ts';

const devnet = devnetForTests({ blockTimeMs: 0 });

describe('GET /v1/names/{name}', () => {
  it('resolves wallet1.btc to wallet_1, with its zonefile and hash160', async () => {
    expect(await getJson(devnet, '/v1/names/wallet1.btc')).toEqual({
      status: 200,
      body: {
        address: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
        blockchain: 'stacks',
        expire_block: 0,
        last_txid: '',
        status: 'name-register',
        zonefile:
          '$ORIGIN wallet1.btc\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t"https://gaia.hiro.so/hub/ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5/profile.json"\n\n',
        zonefile_hash: '1fec69c8da951a54f1c362bfd0e142c573f56496',
      },
    });
  });

  it('names every devnet account: deployer.btc and wallet1.btc to wallet8.btc', async () => {
    const resolved: Record<string, unknown> = {};
    for (const name of ['deployer', ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `wallet${n}`)]) {
      resolved[name] = (await getJson(devnet, `/v1/names/${name}.btc`)).body.address;
    }
    expect(resolved).toEqual({
      deployer: account(devnet, 'deployer').address,
      wallet1: account(devnet, 'wallet_1').address,
      wallet2: account(devnet, 'wallet_2').address,
      wallet3: account(devnet, 'wallet_3').address,
      wallet4: account(devnet, 'wallet_4').address,
      wallet5: account(devnet, 'wallet_5').address,
      wallet6: account(devnet, 'wallet_6').address,
      wallet7: account(devnet, 'wallet_7').address,
      wallet8: account(devnet, 'wallet_8').address,
    });
    expect((await getJson(devnet, '/v1/names/deployer.btc')).body.zonefile_hash).toBe(
      '638600ba534524244d3fd8c80ce92d665e329fcf',
    );
  });

  it('answers an unknown name with the Hiro API’s 404', async () => {
    expect(await getJson(devnet, '/v1/names/wallet9.btc')).toEqual({
      status: 404,
      body: { error: 'cannot find name wallet9.btc' },
    });
    expect(await getJson(devnet, '/v1/names/alice.wallet1.btc')).toEqual({
      status: 404,
      body: { error: 'cannot find subdomain alice.wallet1.btc' },
    });
  });
});

describe('GET /v1/addresses/{blockchain}/{address}', () => {
  it('lists the names an address owns; none for an address without one', async () => {
    expect(
      await getJson(devnet, `/v1/addresses/stacks/${account(devnet, 'wallet_5').address}`),
    ).toEqual({
      status: 200,
      body: { names: ['wallet5.btc'] },
    });
    expect(
      await getJson(devnet, '/v1/addresses/stacks/ST3J2GVMMM2R07ZFBJDWTYEYAR8FZH5WKDTFJ9AHA'),
    ).toEqual({ status: 200, body: { names: [] } });
    expect(
      await getJson(devnet, '/v1/addresses/bitcoin/1J3PUxY5uDShUnHRrMyU6yKtoHEUPhKULs'),
    ).toEqual({
      status: 400,
      body: { error: 'Unsupported blockchain' },
    });
  });
});
