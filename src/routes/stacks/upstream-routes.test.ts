/**
 * The routes that read the Stacks API (profile, transaction lookup): exact answers from Hiro-shaped
 * upstream data, and every upstream failure mapped to a clear status that is never charged.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testApp } from '../../../test/worker/support/app';
import { payFor } from '../../../test/worker/support/paid-request';
import { type StubAnswer, stubStacksApi } from '../../../test/worker/support/stacks-api-stub';
import { profileRoute } from './profile';
import { transactionLookupRoute } from './transaction-lookup';

const WALLET_1 = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const SBTC_FT = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token::sbtc-token';
const TXID = 'ab'.repeat(32);

afterEach(() => vi.restoreAllMocks());

/** Pays for a GET with a fresh payment and returns the answer. */
async function paidGet(path: string, bindings: Env = env) {
  const app = testApp([profileRoute, transactionLookupRoute]);
  return { res: await payFor(app, path, { bindings }), app };
}

/** Gives up on the Stacks API after 1 s instead of 5 s. */
const FAST_TIMEOUT = { ...env, STACKS_API_TIMEOUT_SECONDS: '1' } as Env;

const BALANCES = {
  stx: {
    balance: '100000000000000',
    total_sent: '0',
    total_received: '0',
    locked: '2500',
    burnchain_unlock_height: 120,
  },
  fungible_tokens: {
    [SBTC_FT]: { balance: '1000000000', total_sent: '0', total_received: '1000000000' },
  },
  non_fungible_tokens: {
    'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.badges::badge': {
      count: '2',
      total_sent: '0',
      total_received: '2',
    },
  },
};

describe('GET /stacks/profile/{addressOrName}', () => {
  it('answers balances, nonce and BNS name of an address', async () => {
    const seen = stubStacksApi({
      [`/extended/v1/address/${WALLET_1}/balances`]: Response.json(BALANCES),
      [`/extended/v1/address/${WALLET_1}/nonces`]: Response.json({
        possible_next_nonce: 7,
        last_executed_tx_nonce: 6,
      }),
      [`/v1/addresses/stacks/${WALLET_1}`]: Response.json({ names: ['wallet1.btc'] }),
    });
    const { res, app } = await paidGet(`/stacks/profile/${WALLET_1}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      address: WALLET_1,
      network: 'testnet',
      bnsName: 'wallet1.btc',
      nonce: 7,
      stx: {
        total: '100000000000000',
        locked: '2500',
        available: '99999999997500',
        unlockHeight: 120,
      },
      fungibleTokens: [{ asset: SBTC_FT, balance: '1000000000' }],
      nonFungibleTokens: [
        { asset: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.badges::badge', count: '2' },
      ],
    });
    expect(app.settler.settled).toHaveLength(1);
    expect(seen.map((s) => s.path).sort()).toEqual([
      `/extended/v1/address/${WALLET_1}/balances`,
      `/extended/v1/address/${WALLET_1}/nonces`,
      `/v1/addresses/stacks/${WALLET_1}`,
    ]);
  });

  it('resolves a BNS name to its owner first', async () => {
    stubStacksApi({
      '/v1/names/wallet1.btc': Response.json({
        address: WALLET_1,
        blockchain: 'stacks',
        status: 'name-register',
      }),
      [`/extended/v1/address/${WALLET_1}/balances`]: Response.json(BALANCES),
      [`/extended/v1/address/${WALLET_1}/nonces`]: Response.json({ possible_next_nonce: 0 }),
    });
    const { res } = await paidGet('/stacks/profile/wallet1.btc');
    expect(await res.json()).toMatchObject({ address: WALLET_1, bnsName: 'wallet1.btc', nonce: 0 });
  });

  it('answers 404 for an unknown name, and charges nothing', async () => {
    stubStacksApi({
      '/v1/names/nobody.btc': Response.json(
        { error: 'cannot find name nobody.btc' },
        { status: 404 },
      ),
    });
    const { res, app } = await paidGet('/stacks/profile/nobody.btc');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'name_not_found',
      message: 'No BNS name nobody.btc is registered (nothing was charged).',
    });
    expect(app.settler.settled).toHaveLength(0);
  });

  it('refuses a mainnet address on this testnet service without charging', async () => {
    stubStacksApi({});
    const { res, app } = await paidGet('/stacks/profile/SP3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N6R5192Q');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'wrong_network' });
    expect(app.settler.settled).toHaveLength(0);
  });

  it('validates before the 402: a bad checksum or a malformed name is a free 400', async () => {
    const app = testApp([profileRoute]);
    for (const bad of ['ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD6', 'NotAName', 'a..btc']) {
      const res = await app.request(`/stacks/profile/${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_address_or_name' });
    }
  });
});

describe('upstream failures are clear and never charged', () => {
  it.each([
    [
      'a timeout',
      (_request: Request, signal?: AbortSignal) =>
        new Promise<Response>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        ),
      504,
      'upstream_timeout',
    ],
    [
      'a 429',
      () => new Response('slow down', { status: 429, headers: { 'retry-after': '12' } }),
      503,
      'upstream_rate_limited',
    ],
    ['a 500', () => new Response('boom', { status: 500 }), 502, 'upstream_error'],
    ['an unexpected body', () => Response.json({ unexpected: true }), 502, 'upstream_error'],
  ] as const)(
    '%s of the Stacks API',
    async (_name, answer, status, code) => {
      stubStacksApi({ [`/extended/v1/tx/0x${TXID}`]: answer as StubAnswer });
      const { res, app } = await paidGet(`/stacks/tx/${TXID}`, FAST_TIMEOUT);
      expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
        status,
        code,
      });
      if (code === 'upstream_rate_limited') expect(res.headers.get('retry-after')).toBe('12');
      expect(res.headers.get('payment-response')).toBeNull();
      expect(app.settler.settled).toHaveLength(0);
    },
    10_000,
  );
});

describe('GET /stacks/tx/{txid}', () => {
  it('answers status, block, sender, fee and the decoded contract call', async () => {
    stubStacksApi({
      [`/extended/v1/tx/0x${TXID}`]: Response.json({
        tx_id: `0x${TXID}`,
        tx_status: 'success',
        tx_type: 'contract_call',
        block_height: 812,
        sender_address: WALLET_1,
        nonce: 4,
        fee_rate: '3000',
        sponsored: false,
        tx_result: { hex: '0x0703', repr: '(ok true)' },
        contract_call: {
          contract_id: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token',
          function_name: 'transfer',
          function_args: [
            {
              hex: '0x0100000000000000000000000000000002',
              repr: 'u2',
              name: 'amount',
              type: 'uint',
            },
          ],
        },
      }),
    });
    const { res } = await paidGet(`/stacks/tx/0x${TXID.toUpperCase()}`);
    expect(await res.json()).toEqual({
      txid: `0x${TXID}`,
      status: 'success',
      type: 'contract_call',
      blockHeight: 812,
      sender: WALLET_1,
      nonce: 4,
      fee: '3000',
      sponsored: false,
      result: { hex: '0x0703', repr: '(ok true)' },
      payload: {
        type: 'contract_call',
        contractId: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token',
        function: 'transfer',
        args: [
          { name: 'amount', type: 'uint', repr: 'u2', hex: '0x0100000000000000000000000000000002' },
        ],
      },
    });
  });

  it('answers 404 for an unknown transaction, free, and 400 for a malformed txid before any 402', async () => {
    stubStacksApi({});
    const { res, app } = await paidGet(`/stacks/tx/${TXID}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'transaction_not_found',
      message: `The Stacks API knows no transaction 0x${TXID} (nothing was charged).`,
    });
    expect(app.settler.settled).toHaveLength(0);
    const malformed = await app.request('/stacks/tx/0x1234');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'invalid_txid' });
  });
});
