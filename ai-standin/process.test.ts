/**
 * `npm run ai-standin` (main.ts) as a child process: listens where the environment says, stops on
 * SIGTERM.
 */
import { expect, it } from 'vitest';
import { isGroupAlive } from '../scripts/process-group.ts';
import { startAiStandinProcess } from '../test/support/index.ts';

it('starts on the port of AI_STANDIN_PORT, serves the models, and stops with its process group', async () => {
  const standin = await startAiStandinProcess();
  try {
    expect(standin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(
      `${standin.url}/client/v4/accounts/local/ai/run/@cf/meta/llama-3.1-8b-instruct`,
      { method: 'POST', body: JSON.stringify({ prompt: 'hello' }) },
    );
    expect(await response.json()).toEqual({
      result: {
        response: 'Stand-in answer from llama-3.1-8b-instruct: hello',
        usage: { prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 },
      },
      success: true,
      errors: [],
      messages: [],
    });
    expect(standin.output()).toContain(`Workers AI stand-in listening on ${standin.url}`);
  } finally {
    await standin.stop();
  }
  expect(isGroupAlive(standin.pid)).toBe(false);
});
