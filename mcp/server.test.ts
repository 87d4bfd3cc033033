/**
 * The MCP server through an SDK client over an in-memory transport, with no API behind it: the
 * tools it lists and the tool errors for bad input, before anything is sent.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client } from '../client';
import { freePort } from '../test/support/ports';
import { readMcpConfig } from './config';
import { createMcpServer } from './server';

let client: Client;
let apiUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  // Nothing listens there: a request that does go out fails with resource_unreachable.
  apiUrl = `http://127.0.0.1:${await freePort()}`;
  const config = readMcpConfig({ X402_API_URL: apiUrl });
  const fetchFn: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return globalThis.fetch(input, init);
  };
  const payer = createX402Client({
    privateKey: '01'.repeat(32),
    network: 'testnet',
    stacksApiUrl: config.stacksApiUrl,
    fetch: fetchFn,
  });
  const server = createMcpServer({ config, client: payer, fetch: fetchFn });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'unit', version: '0.0.0' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
});

async function call(name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const [content] = result.content;
  return { isError: result.isError, text: content.type === 'text' ? content.text : '' };
}

describe('the MCP server', () => {
  it('lists its four tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'list_x402_endpoints',
      'probe_x402_endpoint',
      'execute_x402_endpoint',
      'get_payment_status',
    ]);
    const execute = tools[2];
    expect(execute.inputSchema.properties?.method).toMatchObject({
      enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      default: 'GET',
    });
    expect(execute.inputSchema.properties?.tokenType).toMatchObject({
      enum: ['STX', 'sBTC', 'USDCx'],
    });
  });

  it('refuses a bad method, a bad token and a non-boolean autoApprove, sending nothing', async () => {
    const before = requests.length;
    for (const args of [
      { method: 'FETCH', path: '/health' },
      { path: '/health', tokenType: 'BTC' },
      { path: '/health', autoApprove: 'yes' },
    ]) {
      const result = await call('execute_x402_endpoint', args);
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(
        /^MCP error -32602: Input validation error: Invalid arguments for tool execute_x402_endpoint/,
      );
    }
    expect(requests.length).toBe(before);
  });

  it.each([
    [{}, 'give url, or path (with an optional apiUrl)'],
    [
      { url: 'http://127.0.0.1:1/x', path: '/x' },
      'give either url, or path (with an optional apiUrl), not both',
    ],
    [{ url: 'file:///etc/passwd' }, 'url must use http or https, not file:'],
    [{ path: '/x', data: { a: 1 } }, 'a GET request takes params (query), not data (body)'],
  ])('answers %j with a tool error saying what to fix', async (args, message) => {
    const before = requests.length;
    for (const tool of ['execute_x402_endpoint', 'probe_x402_endpoint']) {
      const result = await call(tool, { ...args, autoApprove: tool === 'execute_x402_endpoint' });
      expect(result.isError).toBe(true);
      expect(JSON.parse(result.text)).toEqual({ error: 'invalid_input', message });
    }
    expect(requests.length).toBe(before);
  });

  it('says which URL it cannot reach', async () => {
    const result = await call('execute_x402_endpoint', { method: 'POST', path: '/hashing/sha256' });
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.text)).toEqual({
      error: 'resource_unreachable',
      message: `cannot reach ${apiUrl}/hashing/sha256`,
    });
    const list = await call('list_x402_endpoints', {});
    expect(JSON.parse(list.text)).toEqual({
      error: 'resource_unreachable',
      message: `cannot reach ${apiUrl}/x402.json`,
    });
    const status = await call('get_payment_status', { paymentId: 'pay/../../x' });
    expect(JSON.parse(status.text)).toEqual({
      error: 'invalid_argument',
      message: '"pay/../../x" is neither a payment id (pay_...) nor a status URL',
    });
  });
});
