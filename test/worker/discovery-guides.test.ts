/**
 * The documents for agents: llms.txt and llms-full.txt, the topic guides (generated endpoint
 * lists, a 404 that names the topics) and the agent card with its payment section.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PAYMENT_ERROR_MESSAGES } from '../../src/payment/errors';
import { BASE, testApp } from './support/app';
import { PAY_TO, SBTC, TESTNET, USDCX } from './support/payments';

const SHA_PRICE =
  'Price: 1000 microSTX (0.001 STX), 2 sats (0.00000002 sBTC) or 1000 microUSDCx (0.001 USDCx) per call.';

async function text(path: string, bindings: Env = env) {
  const res = await testApp().request(path, {}, bindings);
  return { res, body: await res.text() };
}

describe('GET /llms.txt', () => {
  it('is markdown with the payment steps, the MCP call and every endpoint with price and example', async () => {
    const { res, body } = await text('/llms.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(body.startsWith('# x402 Stacks API\n\n> A pay-per-call HTTP API on Stacks')).toBe(true);
    expect(body).toContain('## How to pay (x402 v2 on Stacks, network `stacks:2147483648`)');
    expect(body).toContain(
      `   curl -i -X POST '${BASE}/hashing/sha256' -H 'content-type: application/json' -d '{"data":"hello world","encoding":"hex"}'`,
    );
    expect(body).toContain(
      `\`\`\`json\n${JSON.stringify(
        {
          method: 'POST',
          url: `${BASE}/hashing/sha256`,
          data: { data: 'hello world', encoding: 'hex' },
          autoApprove: true,
        },
        null,
        2,
      )}\n\`\`\``,
    );
    for (const parameter of ['`method`', '`url`', '`params`', '`data`', '`autoApprove`']) {
      expect(body).toContain(parameter);
    }
    expect(body).toContain(
      `### POST /hashing/sha256\n\nSHA-256 hash. SHA-256 (FIPS 180-4).\n\n${SHA_PRICE} Settlement order: authorization.\n\nExample:\n\n\`\`\`sh\ncurl -i -X POST '${BASE}/hashing/sha256' \\\n  -H 'content-type: application/json' -d '{"data":"hello world","encoding":"hex"}'\n\`\`\``,
    );
    expect(body).toContain(`### GET /storage/kv/{key}`);
    expect(body).toContain(`curl -i '${BASE}/storage/kv/settings%2Ftheme'`);
    expect(body).not.toContain('Schemas (JSON Schema 2020-12)');
  });

  it('llms-full.txt adds each endpoint’s schemas and every error code', async () => {
    const { res, body } = await text('/llms-full.txt');
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(body).toContain(`- \`POST /hashing/sha256\`: SHA-256 hash. ${SHA_PRICE}`);
    expect(body).toContain('Schemas (JSON Schema 2020-12):');
    expect(body).toContain('"HashRequest": {');
    for (const [code, message] of Object.entries(PAYMENT_ERROR_MESSAGES)) {
      expect(body).toContain(`- \`${code}\`: (402) ${message}`);
    }
    expect(body).toContain(
      '- `unknown_topic`: No guide by that name (free 404); GET /topics lists them.',
    );
  });
});

describe('GET /topics', () => {
  it('lists the guides', async () => {
    const { body } = await text('/topics');
    expect(body).toBe(`# Guides

- [Paying for a call](${BASE}/topics/payment-flow): The x402 v2 flow on Stacks: the 402, the signed transaction, the receipt, retries.
- [Hashing](${BASE}/topics/hashing): SHA-256, SHA-512, SHA-512/256, Keccak-256, HASH160 and RIPEMD-160 of text or bytes.
- [Stacks](${BASE}/topics/stacks): Addresses, Clarity values, transactions, signatures, profiles and read-only calls.
- [Storage](${BASE}/topics/storage): Per-payer KV, pastes, locks, queues, SQL and semantic memory.
- [Inference](${BASE}/topics/inference): Chat with OpenRouter models (priced per request) and Workers AI models.
`);
  });

  it('a guide lists its endpoints from the registry, with prices', async () => {
    const { res, body } = await text('/topics/hashing');
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const list = ['sha256', 'sha512', 'sha512-256', 'keccak256', 'hash160', 'ripemd160'];
    const titles = ['SHA-256', 'SHA-512', 'SHA-512/256', 'Keccak-256', 'HASH160', 'RIPEMD-160'];
    expect(body).toContain(
      `## Endpoints\n\n${list.map((a, i) => `- \`POST /hashing/${a}\`: ${titles[i]} hash. ${SHA_PRICE}`).join('\n')}\n\n## Example`,
    );
    const payment = await text('/topics/payment-flow');
    expect(payment.body).toContain('- `GET /payment-status/{paymentId}`: Payment status. Free.');
    const inference = await text('/topics/inference');
    expect(inference.body).toContain(
      '- `POST /inference/openrouter/chat`: Chat with an OpenRouter model. Price: quoted per request',
    );
  });

  it('answers an unknown topic with a free 404 that names the topics', async () => {
    const { res, body } = await text('/topics/payments');
    expect(res.status).toBe(404);
    expect(JSON.parse(body)).toEqual({
      code: 'unknown_topic',
      message:
        'There is no guide named "payments"; the guides are payment-flow, hashing, stacks, storage, inference (GET /topics).',
    });
    expect((await text('/topics/toString')).res.status).toBe(404);
  });
});

describe('GET /.well-known/agent.json', () => {
  it('has URLs on the origin, a skill per route group and the payment section', async () => {
    const res = await testApp().app.request(
      'https://agents.example.net/.well-known/agent.json',
      {},
      env,
    );
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const card = (await res.json()) as Record<string, unknown> & {
      skills: { id: string; endpoints: string[]; guide?: string }[];
    };
    expect(card).toMatchObject({
      name: 'x402 Stacks API',
      url: 'https://agents.example.net/',
      version: '0.1.0',
      documentationUrl: 'https://agents.example.net/llms.txt',
    });
    expect(card.skills.map((s) => s.id)).toEqual([
      'service',
      'payments',
      'discovery',
      'hashing',
      'stacks',
      'storage',
      'inference',
    ]);
    expect(card.skills.find((s) => s.id === 'hashing')?.guide).toBe(
      'https://agents.example.net/topics/hashing',
    );
    expect(card.payment).toEqual({
      protocol: 'x402',
      version: 2,
      scheme: 'exact',
      enabled: true,
      network: TESTNET,
      payTo: PAY_TO,
      tokens: [
        { type: 'STX', asset: 'STX', decimals: 6, atomicUnit: 'microSTX' },
        { type: 'sBTC', asset: SBTC, decimals: 8, atomicUnit: 'sats' },
        { type: 'USDCx', asset: USDCX, decimals: 6, atomicUnit: 'microUSDCx' },
      ],
      tiers: {
        free: 'no payment',
        standard: { STX: '1000', sBTC: '2', USDCx: '1000' },
        dynamic: 'priced per request: the 402 quotes the amount per token',
      },
      headers: {
        paymentRequired: 'payment-required',
        paymentSignature: 'payment-signature',
        legacyPayment: 'x-payment',
        paymentResponse: 'payment-response',
        tokenType: 'x-payment-token-type',
      },
    });
  });
});
