import { describe, expect, it } from 'vitest';
import { testApp } from './support/app';

/** The discovery documents after /docs, in registry order. */
const DISCOVERY_ENDPOINTS = [
  { method: 'GET', path: '/openapi.json', tier: 'free', summary: 'OpenAPI document' },
  {
    method: 'GET',
    path: '/.well-known/openapi.json',
    tier: 'free',
    summary: 'OpenAPI document (well-known)',
  },
  { method: 'GET', path: '/x402.json', tier: 'free', summary: 'x402 catalogue' },
  { method: 'GET', path: '/.well-known/x402', tier: 'free', summary: 'x402 resource list' },
  { method: 'GET', path: '/llms.txt', tier: 'free', summary: 'Guide for agents' },
  { method: 'GET', path: '/llms-full.txt', tier: 'free', summary: 'Full guide for agents' },
  { method: 'GET', path: '/topics', tier: 'free', summary: 'Guides' },
  { method: 'GET', path: '/topics/{topic}', tier: 'free', summary: 'Guide' },
  { method: 'GET', path: '/.well-known/agent.json', tier: 'free', summary: 'Agent card' },
];

/** The stacks route group, in registry order. */
const STACKS_ENDPOINTS = [
  {
    method: 'GET',
    path: '/stacks/address/{address}',
    tier: 'standard',
    summary: 'Convert a Stacks address between networks',
  },
  {
    method: 'POST',
    path: '/stacks/decode/clarity',
    tier: 'standard',
    summary: 'Decode a Clarity value',
  },
  {
    method: 'POST',
    path: '/stacks/decode/transaction',
    tier: 'standard',
    summary: 'Decode a Stacks transaction',
  },
  {
    method: 'GET',
    path: '/stacks/profile/{addressOrName}',
    tier: 'standard',
    summary: 'Account profile',
  },
  {
    method: 'POST',
    path: '/stacks/verify/message',
    tier: 'standard',
    summary: 'Verify a Stacks signed message',
  },
  {
    method: 'POST',
    path: '/stacks/verify/sip018',
    tier: 'standard',
    summary: 'Verify a SIP-018 structured data signature',
  },
  { method: 'GET', path: '/stacks/tx/{txid}', tier: 'standard', summary: 'Transaction status' },
  {
    method: 'POST',
    path: '/stacks/contract/call-read',
    tier: 'standard',
    summary: 'Read-only contract call',
  },
];

/** The storage route group, in registry order: every store, reads and writes alike. */
const STORAGE_ENDPOINTS = [
  {
    method: 'POST',
    path: '/storage/kv',
    tier: 'standard',
    summary: 'Store a KV value',
  },
  {
    method: 'GET',
    path: '/storage/kv/{key}',
    tier: 'standard',
    summary: 'Read a KV value',
  },
  {
    method: 'DELETE',
    path: '/storage/kv/{key}',
    tier: 'standard',
    summary: 'Delete a KV value',
  },
  {
    method: 'GET',
    path: '/storage/kv',
    tier: 'standard',
    summary: 'List KV keys',
  },
  {
    method: 'POST',
    path: '/storage/paste',
    tier: 'standard',
    summary: 'Create a paste',
  },
  {
    method: 'GET',
    path: '/storage/paste/{id}',
    tier: 'standard',
    summary: 'Read a paste',
  },
  {
    method: 'DELETE',
    path: '/storage/paste/{id}',
    tier: 'standard',
    summary: 'Delete a paste',
  },
  {
    method: 'POST',
    path: '/storage/sync/lock',
    tier: 'standard',
    summary: 'Acquire a lock',
  },
  {
    method: 'POST',
    path: '/storage/sync/unlock',
    tier: 'standard',
    summary: 'Release a lock',
  },
  {
    method: 'POST',
    path: '/storage/sync/extend',
    tier: 'standard',
    summary: 'Extend a lock',
  },
  {
    method: 'GET',
    path: '/storage/sync/status/{name}',
    tier: 'standard',
    summary: 'Whether a lock is held',
  },
  {
    method: 'GET',
    path: '/storage/sync/list',
    tier: 'standard',
    summary: 'List held locks',
  },
  {
    method: 'POST',
    path: '/storage/queue/push',
    tier: 'standard',
    summary: 'Push items to a queue',
  },
  {
    method: 'POST',
    path: '/storage/queue/pop',
    tier: 'standard',
    summary: 'Take items from a queue',
  },
  {
    method: 'POST',
    path: '/storage/queue/ack',
    tier: 'standard',
    summary: 'Acknowledge items',
  },
  {
    method: 'POST',
    path: '/storage/queue/nack',
    tier: 'standard',
    summary: 'Give items back',
  },
  {
    method: 'GET',
    path: '/storage/queue/peek',
    tier: 'standard',
    summary: 'Look at the next items',
  },
  {
    method: 'GET',
    path: '/storage/queue/status',
    tier: 'standard',
    summary: 'Count the items of a queue',
  },
  {
    method: 'POST',
    path: '/storage/queue/clear',
    tier: 'standard',
    summary: 'Delete a queue',
  },
  {
    method: 'POST',
    path: '/storage/db/query',
    tier: 'standard',
    summary: 'Query your SQL tables',
  },
  {
    method: 'POST',
    path: '/storage/db/execute',
    tier: 'standard',
    summary: 'Change your SQL tables',
  },
  {
    method: 'GET',
    path: '/storage/db/schema',
    tier: 'standard',
    summary: 'Your SQL tables and columns',
  },
  {
    method: 'POST',
    path: '/storage/memory/store',
    tier: 'standard',
    summary: 'Store texts with their embeddings',
  },
  {
    method: 'POST',
    path: '/storage/memory/search',
    tier: 'standard',
    summary: 'Search your texts by meaning',
  },
  {
    method: 'POST',
    path: '/storage/memory/delete',
    tier: 'standard',
    summary: 'Delete items',
  },
  {
    method: 'GET',
    path: '/storage/memory/list',
    tier: 'standard',
    summary: 'List your items',
  },
  {
    method: 'POST',
    path: '/storage/memory/clear',
    tier: 'standard',
    summary: 'Delete every item',
  },
  {
    method: 'GET',
    path: '/storage/scans',
    tier: 'standard',
    summary: 'Read the scan of something you wrote',
  },
];

/** The inference route group, in registry order. */
const INFERENCE_ENDPOINTS = [
  {
    method: 'GET',
    path: '/inference/openrouter/models',
    tier: 'free',
    summary: 'OpenRouter models and prices',
  },
  {
    method: 'POST',
    path: '/inference/openrouter/chat',
    tier: 'dynamic',
    summary: 'Chat with an OpenRouter model',
  },
  {
    method: 'GET',
    path: '/inference/cloudflare/models',
    tier: 'free',
    summary: 'Workers AI chat models',
  },
  {
    method: 'POST',
    path: '/inference/cloudflare/chat',
    tier: 'standard',
    summary: 'Chat with a Workers AI model',
  },
];

describe('free service routes', () => {
  it('GET / describes the service, its tokens, prices and every endpoint', async () => {
    const { request } = testApp();
    const res = await request('/');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: 'x402 Stacks API',
      version: '0.1.0',
      x402Version: 2,
      network: 'testnet',
      networkId: 'stacks:2147483648',
      payments: {
        enabled: true,
        payTo: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
        sponsorship: { enabled: false },
      },
      tokens: [
        { type: 'STX', asset: 'STX', assetName: null, decimals: 6, atomicUnit: 'microSTX' },
        {
          type: 'sBTC',
          asset: 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token',
          assetName: 'sbtc-token',
          decimals: 8,
          atomicUnit: 'sats',
        },
        {
          type: 'USDCx',
          asset: 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.usdcx',
          assetName: 'usdcx-token',
          decimals: 6,
          atomicUnit: 'microUSDCx',
        },
      ],
      pricing: {
        free: 'no payment',
        standard: { STX: '1000', sBTC: '2', USDCx: '1000' },
        dynamic: 'priced per request; the 402 quotes the amount',
      },
      endpoints: [
        { method: 'GET', path: '/', tier: 'free', summary: 'Service information' },
        { method: 'GET', path: '/health', tier: 'free', summary: 'Health check' },
        {
          method: 'GET',
          path: '/payment-status/{paymentId}',
          tier: 'free',
          summary: 'Payment status',
        },
        { method: 'GET', path: '/docs', tier: 'free', summary: 'Interactive API reference' },
        ...DISCOVERY_ENDPOINTS,
        { method: 'POST', path: '/hashing/sha256', tier: 'standard', summary: 'SHA-256 hash' },
        { method: 'POST', path: '/hashing/sha512', tier: 'standard', summary: 'SHA-512 hash' },
        {
          method: 'POST',
          path: '/hashing/sha512-256',
          tier: 'standard',
          summary: 'SHA-512/256 hash',
        },
        {
          method: 'POST',
          path: '/hashing/keccak256',
          tier: 'standard',
          summary: 'Keccak-256 hash',
        },
        { method: 'POST', path: '/hashing/hash160', tier: 'standard', summary: 'HASH160 hash' },
        {
          method: 'POST',
          path: '/hashing/ripemd160',
          tier: 'standard',
          summary: 'RIPEMD-160 hash',
        },
        ...STACKS_ENDPOINTS,
        ...STORAGE_ENDPOINTS,
        ...INFERENCE_ENDPOINTS,
      ],
      links: { self: 'http://api.test/', health: 'http://api.test/health' },
    });
  });
});
