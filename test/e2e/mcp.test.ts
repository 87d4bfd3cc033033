/**
 * Issue 11, our MCP server end to end: an MCP client from the SDK spawns `x402-stacks-mcp` over
 * stdio and drives it against `wrangler dev` and the devnet: the tools, the catalogue from
 * `/x402.json`, a probe, a paid call in each token with its receipt and balances, calls refused by
 * the caps before paying, and a 202 followed to the answer.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_ACCOUNT_SEEDS, getDevnetAccount } from '../../devnet/accounts';
import type { TokenType } from '../../src/stacks/tokens';
import {
  type RunningProcess,
  startDevnetProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { type McpServerProcess, startMcpServerProcess } from '../support/mcp-server-process';
import {
  armFault,
  balanceOf,
  HELLO_WORLD_SHA256,
  nextNonce,
  PAY_TO,
  waitForPaymentStatus,
} from './helpers';

const PRICES: Record<TokenType, bigint> = { STX: 1000n, sBTC: 2n, USDCx: 1000n };
const DISPLAY: Record<TokenType, string> = {
  STX: '0.001 STX',
  sBTC: '0.00000002 sBTC',
  USDCx: '0.001 USDCx',
};
const ASSET: Record<TokenType, string> = {
  STX: 'STX',
  sBTC: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token',
  USDCx: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx',
};
const TESTNET = 'stacks:2147483648';
const HASH_BODY = {
  hash: HELLO_WORLD_SHA256,
  algorithm: 'sha256',
  encoding: 'hex',
  inputLength: 11,
};
const SHA256 = { method: 'POST', path: '/hashing/sha256', data: { data: 'hello world' } };
/** wallet_5's public devnet mnemonic: the capped server pays from it. */
const WALLET_5_MNEMONIC = DEVNET_ACCOUNT_SEEDS.find((seed) => seed.name === 'wallet_5')?.mnemonic;

let devnet: RunningProcess;
let worker: WorkerProcess;
/** No wallet configured: the devnet's wallet_1. Default caps. */
let mcp: McpServerProcess;
/** wallet_5 from X402_MNEMONIC; 999 µSTX per call, 1500 µUSDCx per session. */
let capped: McpServerProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess({ blockTimeMs: 500 });
  worker = await startWorkerProcess({
    vars: { STACKS_API_URL: devnet.url, BROADCAST_TIMEOUT_SECONDS: '2' },
  });
  const base = { X402_API_URL: worker.url, X402_STACKS_API_URL: devnet.url };
  [mcp, capped] = await Promise.all([
    startMcpServerProcess(base),
    startMcpServerProcess({
      ...base,
      X402_MNEMONIC: WALLET_5_MNEMONIC ?? '',
      X402_MAX_PER_CALL: 'STX=999',
      X402_MAX_PER_SESSION: 'USDCx=1500',
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([mcp?.stop(), capped?.stop()]);
  await worker?.stop();
  await devnet?.stop();
});

afterEach(async () => {
  await fetch(`${devnet.url}/devnet/faults`, { method: 'DELETE' });
});

interface ToolOutcome {
  isError: boolean;
  body: Record<string, unknown>;
}

async function callTool(
  server: McpServerProcess,
  name: string,
  args: Record<string, unknown>,
  onProgress?: (message: string) => void,
): Promise<ToolOutcome> {
  const result = (await server.client.callTool({ name, arguments: args }, undefined, {
    timeout: 120_000,
    ...(onProgress ? { onprogress: (p) => onProgress(p.message ?? '') } : {}),
  })) as CallToolResult;
  expect(result.content).toHaveLength(1);
  const [content] = result.content;
  if (content.type !== 'text') throw new Error(`${name} returned ${content.type} content`);
  return { isError: result.isError === true, body: JSON.parse(content.text) };
}

function priceOption(token: TokenType) {
  return {
    token,
    amount: PRICES[token].toString(),
    display: DISPLAY[token],
    asset: ASSET[token],
    network: TESTNET,
    payTo: PAY_TO,
    pricingTier: 'standard',
    maxTimeoutSeconds: 300,
    withinCaps: true,
  };
}

describe('the MCP server over stdio', () => {
  it('says on stderr which wallet pays, and lists its four tools', async () => {
    const wallet1 = await getDevnetAccount('wallet_1');
    expect(mcp.stderr()).toContain(
      'x402-stacks-mcp: no X402_MNEMONIC or X402_PRIVATE_KEY set: paying from the devnet wallet_1',
    );
    expect(mcp.stderr()).toContain(`paying from ${wallet1.address} (devnet wallet_1) on testnet`);
    const wallet5 = await getDevnetAccount('wallet_5');
    expect(capped.stderr()).toContain(`paying from ${wallet5.address} (X402_MNEMONIC) on testnet`);

    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'execute_x402_endpoint',
      'get_payment_status',
      'list_x402_endpoints',
      'probe_x402_endpoint',
    ]);
    const execute = tools.find((tool) => tool.name === 'execute_x402_endpoint');
    expect(Object.keys(execute?.inputSchema.properties ?? {}).sort()).toEqual([
      'apiUrl',
      'autoApprove',
      'data',
      'method',
      'params',
      'path',
      'paymentIdentifier',
      'tokenType',
      'url',
    ]);
  });

  it("lists the endpoints of the API's own /x402.json, filtered", async () => {
    const manifest = (await (await fetch(`${worker.url}/x402.json`)).json()) as {
      resources: { path: string; method: string; group: string }[];
    };
    const all = await callTool(mcp, 'list_x402_endpoints', {});
    expect(all.isError).toBe(false);
    expect(all.body.total).toBe(manifest.resources.length);
    expect(all.body.count).toBe(manifest.resources.length);

    const hashing = await callTool(mcp, 'list_x402_endpoints', { group: 'hashing' });
    const expected = manifest.resources.filter((r) => r.group === 'hashing');
    expect(expected.length).toBeGreaterThan(0);
    const endpoints = hashing.body.endpoints as { method: string; path: string }[];
    expect(endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(
      expected.map((r) => `${r.method} ${r.path}`),
    );
    expect(endpoints.find((e) => e.path === '/hashing/sha256')).toMatchObject({
      method: 'POST',
      url: `${worker.url}/hashing/sha256`,
      group: 'hashing',
      tier: 'standard',
      prices: (['STX', 'sBTC', 'USDCx'] as const).map((token) => ({
        token,
        amount: PRICES[token].toString(),
        display: DISPLAY[token],
      })),
    });

    const found = await callTool(mcp, 'list_x402_endpoints', { search: 'SHA256', method: 'post' });
    expect((found.body.endpoints as { path: string }[]).map((e) => e.path)).toContain(
      '/hashing/sha256',
    );
    const none = await callTool(mcp, 'list_x402_endpoints', { group: 'no-such-group' });
    expect(none.body).toMatchObject({ count: 0, endpoints: [] });
  });

  it('probes and quotes the price without paying anything', async () => {
    const { address } = await getDevnetAccount('wallet_1');
    const nonce = await nextNonce(devnet.url, address);
    const before = await balanceOf(devnet.url, address, 'STX');

    const probe = await callTool(mcp, 'probe_x402_endpoint', SHA256);
    expect(probe.isError).toBe(false);
    expect(probe.body).toMatchObject({
      endpoint: `POST ${worker.url}/hashing/sha256`,
      paymentRequired: true,
      options: [priceOption('STX'), priceOption('sBTC'), priceOption('USDCx')],
    });
    const sbtcFirst = await callTool(mcp, 'probe_x402_endpoint', { ...SHA256, tokenType: 'sBTC' });
    expect((sbtcFirst.body.options as { token: string }[])[0].token).toBe('sBTC');

    const quote = await callTool(mcp, 'execute_x402_endpoint', SHA256);
    expect(quote.isError).toBe(false);
    expect(quote.body).toMatchObject({
      status: 402,
      paid: false,
      options: [priceOption('STX'), priceOption('sBTC'), priceOption('USDCx')],
      callWith: { ...SHA256, autoApprove: true },
    });
    expect(await nextNonce(devnet.url, address)).toBe(nonce);
    expect(await balanceOf(devnet.url, address, 'STX')).toBe(before);
  });

  it.each(['STX', 'sBTC', 'USDCx'] as const)(
    'pays in %s and returns the hash with its receipt',
    async (token) => {
      const payer = await getDevnetAccount('wallet_1');
      const before = {
        payer: await balanceOf(devnet.url, payer.address, token),
        payTo: await balanceOf(devnet.url, PAY_TO, token),
      };
      const paid = await callTool(mcp, 'execute_x402_endpoint', {
        ...SHA256,
        autoApprove: true,
        tokenType: token,
      });
      expect(paid.isError).toBe(false);
      expect(paid.body).toMatchObject({ status: 200, paid: true, result: HASH_BODY });
      expect(paid.body.followed202).toBeUndefined();
      const receipt = paid.body.receipt as Record<string, unknown>;
      const paymentId = receipt.paymentId as string;
      const txid = receipt.txid as string;
      expect(paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
      expect(txid).toMatch(/^0x[0-9a-f]{64}$/);
      const checkStatusUrl = `${worker.url}/payment-status/${paymentId}`;
      expect(receipt).toEqual({
        paymentId,
        txid,
        token,
        amount: PRICES[token].toString(),
        display: DISPLAY[token],
        asset: ASSET[token],
        payer: payer.address,
        payTo: PAY_TO,
        network: TESTNET,
        fee: expect.stringMatching(/^[1-9][0-9]*$/),
        paymentIdentifier: expect.stringMatching(/^pid_[A-Za-z0-9_-]{32}$/),
        checkStatusUrl,
        settlement: {
          success: true,
          payer: payer.address,
          transaction: txid,
          network: TESTNET,
          extensions: { 'payment-status': { paymentId, checkStatusUrl } },
        },
      });

      await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'confirmed');
      const status = await callTool(mcp, 'get_payment_status', { paymentId });
      expect(status.isError).toBe(false);
      expect(status.body).toMatchObject({
        paymentId,
        status: 'confirmed',
        txid,
        payer: payer.address,
        asset: ASSET[token],
        amount: PRICES[token].toString(),
        route: 'POST /hashing/sha256',
      });
      const fee = BigInt(receipt.fee as string);
      expect((await balanceOf(devnet.url, PAY_TO, token)) - before.payTo).toBe(PRICES[token]);
      const spent = before.payer - (await balanceOf(devnet.url, payer.address, token));
      expect(spent).toBe(token === 'STX' ? PRICES[token] + fee : PRICES[token]);
    },
  );

  it('refuses a call over the per-call cap, and one past the session cap, before paying', async () => {
    const { address } = await getDevnetAccount('wallet_5');
    const nonce = await nextNonce(devnet.url, address);
    const stx = await balanceOf(devnet.url, address, 'STX');

    const overCall = await callTool(capped, 'execute_x402_endpoint', {
      ...SHA256,
      autoApprove: true,
      tokenType: 'STX',
    });
    expect(overCall.isError).toBe(true);
    expect(overCall.body).toMatchObject({
      error: 'amount_above_cap',
      message:
        'refused before paying: the price is 1000 (atomic STX), above the cap of 999. Nothing was signed or sent.',
    });
    expect(await nextNonce(devnet.url, address)).toBe(nonce);
    expect(await balanceOf(devnet.url, address, 'STX')).toBe(stx);

    const first = await callTool(capped, 'execute_x402_endpoint', {
      ...SHA256,
      autoApprove: true,
      tokenType: 'USDCx',
    });
    expect(first.body).toMatchObject({ status: 200, receipt: { token: 'USDCx', amount: '1000' } });
    const paymentId = (first.body.receipt as { paymentId: string }).paymentId;
    await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'confirmed');
    const usdcx = await balanceOf(devnet.url, address, 'USDCx');
    const afterFirst = await nextNonce(devnet.url, address);

    const overSession = await callTool(capped, 'execute_x402_endpoint', {
      ...SHA256,
      autoApprove: true,
      tokenType: 'USDCx',
    });
    expect(overSession.isError).toBe(true);
    expect(overSession.body).toMatchObject({
      error: 'budget_exceeded',
      message:
        'refused before paying: the price is 1000 (atomic USDCx), above the remaining budget of 500 (budget 1500, spent 1000). Nothing was signed or sent.',
    });
    expect(await nextNonce(devnet.url, address)).toBe(afterFirst);
    expect(await balanceOf(devnet.url, address, 'USDCx')).toBe(usdcx);
  });

  it('follows a 202 (the broadcast hangs) to the answer, paying once', async () => {
    const payer = await getDevnetAccount('wallet_1');
    const before = await balanceOf(devnet.url, payer.address, 'STX');
    await armFault(devnet.url, { kind: 'hang-broadcast', times: 1 });
    const progress: string[] = [];
    const paid = await callTool(
      mcp,
      'execute_x402_endpoint',
      { ...SHA256, autoApprove: true },
      (message) => progress.push(message),
    );
    expect(paid.isError).toBe(false);
    expect(paid.body).toMatchObject({
      status: 200,
      result: HASH_BODY,
      receipt: { token: 'STX' },
      followed202: { status: 'broadcasting' },
    });
    const { paymentId, fee } = paid.body.receipt as { paymentId: string; fee: string };
    // Progress comes only from the wait after a 202: one note per status polled.
    expect(progress.length).toBeGreaterThan(0);
    for (const note of progress) {
      expect(note).toMatch(
        new RegExp(`^payment ${paymentId} is (broadcasting|mempool|confirmed)$`),
      );
    }

    await waitForPaymentStatus(worker.url, paymentId, (s) => s.status === 'confirmed');
    const spent = before - (await balanceOf(devnet.url, payer.address, 'STX'));
    expect(spent).toBe(PRICES.STX + BigInt(fee));
  });
});
