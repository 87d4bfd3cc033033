/**
 * `npm run openrouter-standin` (main.ts) as a child process: listens where the environment says,
 * stops on SIGTERM.
 */
import { expect, it } from 'vitest';
import { isGroupAlive } from '../scripts/process-group.ts';
import { startOpenRouterStandinProcess } from '../test/support/index.ts';

it('starts on the port of OPENROUTER_STANDIN_PORT, answers under /api/v1, and stops with its process group', async () => {
  const standin = await startOpenRouterStandinProcess();
  try {
    expect(standin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${standin.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-local' },
      body: JSON.stringify({
        model: 'meta-llama/llama-3.1-8b-instruct',
        messages: [{ role: 'user', content: 'What is x402?' }],
        max_tokens: 2,
      }),
    });
    const body = (await response.json()) as {
      choices: { message: { content: string } }[];
      usage: { cost: number };
    };
    expect(body.choices[0].message.content).toBe('Speak for');
    // 4 × 0.00000002 + 2 × 0.00000003
    expect(body.usage.cost).toBe(0.00000014);
    expect(standin.output()).toContain(`OpenRouter stand-in listening on ${standin.url}`);
  } finally {
    await standin.stop();
  }
  expect(isGroupAlive(standin.pid)).toBe(false);
});
