/**
 * The inference route group end to end (issue 9): `wrangler dev`, the devnet, the local
 * OpenRouter and the Workers AI stand-in as separate processes. One paid chat per route; the
 * OpenRouter chat is priced by its quote, relayed with `max_tokens` as priced, and its actual cost
 * recorded against the payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createX402Client, type X402Client } from '../../client';
import { getDevnetAccount } from '../../devnet/accounts';
import {
  type RunningProcess,
  startAiStandinProcess,
  startDevnetProcess,
  startOpenRouterStandinProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import { waitForPaymentStatus } from './helpers';

let devnet: RunningProcess;
let ai: RunningProcess;
let openrouter: RunningProcess;
let worker: WorkerProcess;
let client: X402Client;

beforeAll(async () => {
  [devnet, ai, openrouter] = await Promise.all([
    startDevnetProcess({ blockTimeMs: 500 }),
    startAiStandinProcess(),
    startOpenRouterStandinProcess(),
  ]);
  worker = await startWorkerProcess({
    vars: {
      STACKS_API_URL: devnet.url,
      WORKERS_AI_URL: ai.url,
      OPENROUTER_API_URL: `${openrouter.url}/api/v1`,
      OPENROUTER_API_KEY: 'sk-or-test',
    },
  });
  client = createX402Client({
    privateKey: (await getDevnetAccount('wallet_7')).privateKey,
    network: 'testnet',
    stacksApiUrl: devnet.url,
  });
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([devnet?.stop(), ai?.stop(), openrouter?.stop()]);
});

const chat = (path: string, body: unknown) =>
  client.fetch(`${worker.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('inference over real HTTP, paid on the devnet', () => {
  it('OpenRouter chat: priced by its quote, max_tokens enforced, actual cost recorded', async () => {
    const result = await chat('/inference/openrouter/chat', {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is x402?' }],
      max_tokens: 5,
    });
    if (result.type !== 'response') throw new Error(result.type);
    expect(result.status).toBe(200);
    const body = result.body as {
      choices: { finish_reason: string; message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    // The local OpenRouter writes exactly max_tokens words when it is cut short.
    expect(body.usage.completion_tokens).toBe(5);
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(result.payment?.requirement.extra.estimate).toMatchObject({
      model: 'openai/gpt-4o-mini',
      maxTokens: 5,
    });
    const status = await waitForPaymentStatus(
      worker.url,
      result.paymentId as string,
      (s) => s.status === 'confirmed',
    );
    expect(status.amount).toBe(result.payment?.requirement.amount);
    expect((status as unknown as { usage: { completionTokens: number } }).usage).toMatchObject({
      completionTokens: 5,
    });
  });

  it('Workers AI chat through the stand-in', async () => {
    const result = await chat('/inference/cloudflare/chat', {
      model: '@cf/meta/llama-3.2-3b-instruct',
      messages: [{ role: 'user', content: 'Say hello' }],
      max_tokens: 8,
    });
    if (result.type !== 'response') throw new Error(result.type);
    expect(result.status).toBe(200);
    expect((result.body as { object: string }).object).toBe('chat.completion');
  });

  it('an unknown model is a free 400 with similar ids', async () => {
    const res = await fetch(`${worker.url}/inference/openrouter/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mino',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_model' });
  });
});
