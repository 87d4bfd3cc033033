/** Fault injection on the stand-in: each armed fault produces the unhappy path it names. */
import { describe, expect, it } from 'vitest';
import { EMBEDDING_MODEL } from '../src/ai/models.ts';
import { armFault, request, runModel, standinForTests } from './test-support.ts';

const standin = standinForTests();
const ping = () => runModel(standin, EMBEDDING_MODEL, { text: 'ping' });

describe('faults', () => {
  it('http-error: the next runs answer that status in the Cloudflare envelope (3043 by default), then recover', async () => {
    expect(await armFault(standin, { kind: 'http-error', status: 503, times: 2 })).toEqual({
      status: 200,
      contentType: 'application/json',
      body: [{ kind: 'http-error', status: 503, times: 2 }],
    });
    const failed = {
      status: 503,
      contentType: 'application/json',
      body: {
        result: null,
        success: false,
        errors: [{ code: 3043, message: 'Internal server error' }],
        messages: [],
      },
    };
    expect(await ping()).toEqual(failed);
    expect(await ping()).toEqual(failed);
    expect((await ping()).status).toBe(200);
  });

  it('http-error 429 is out of capacity (3040) unless the fault names its own error', async () => {
    await armFault(standin, { kind: 'http-error', status: 429 });
    await armFault(standin, {
      kind: 'http-error',
      status: 403,
      code: 3023,
      message: 'Service unavailable for account',
    });
    expect((await ping()).body).toEqual({
      result: null,
      success: false,
      errors: [{ code: 3040, message: 'Capacity temporarily exceeded, please try again.' }],
      messages: [],
    });
    const refused = await ping();
    expect(refused.status).toBe(403);
    expect((refused.body as { errors: unknown }).errors).toEqual([
      { code: 3023, message: 'Service unavailable for account' },
    ]);
  });

  it('hang: the next run is never answered, the one after is', async () => {
    await armFault(standin, { kind: 'hang' });
    await expect(
      request(
        standin,
        'POST',
        `/client/v4/accounts/local/ai/run/${EMBEDDING_MODEL}`,
        { text: 'x' },
        {
          signal: AbortSignal.timeout(300),
        },
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await ping()).status).toBe(200);
  });

  it('delay: the next run is answered normally, late', async () => {
    await armFault(standin, { kind: 'delay', ms: 400 });
    const started = performance.now();
    const late = await ping();
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(late.status).toBe(200);
    expect(late.body).toEqual((await ping()).body);
  });

  it('applies to model runs only, not to /health or the control path', async () => {
    await armFault(standin, { kind: 'http-error', status: 500 });
    expect((await request(standin, 'GET', '/health')).status).toBe(200);
    expect((await request(standin, 'GET', '/ai-standin/faults')).body).toEqual([
      { kind: 'http-error', status: 500, times: 1 },
    ]);
    expect((await ping()).status).toBe(500);
  });

  it('lists armed faults with the runs they have left, and DELETE disarms them all', async () => {
    await armFault(standin, { kind: 'delay', ms: 1, times: 3 });
    await armFault(standin, { kind: 'hang', times: 2 });
    await ping();
    expect((await request(standin, 'GET', '/ai-standin/faults')).body).toEqual([
      { kind: 'delay', ms: 1, times: 2 },
      { kind: 'hang', times: 2 },
    ]);
    expect(await request(standin, 'DELETE', '/ai-standin/faults')).toEqual({
      status: 200,
      contentType: 'application/json',
      body: [],
    });
    expect((await ping()).status).toBe(200);
  });

  it('refuses a fault it does not know, or one missing its fields', async () => {
    const refusal = async (fault: unknown) => {
      const answer = await request(standin, 'POST', '/ai-standin/faults', fault);
      return [answer.status, answer.body];
    };
    expect(await refusal({ kind: 'explode' })).toEqual([
      400,
      { error: 'unknown fault kind "explode"; expected "http-error", "hang" or "delay"' },
    ]);
    expect(await refusal({ kind: 'http-error', status: 200 })).toEqual([
      400,
      { error: '"http-error" needs a "status" between 400 and 599' },
    ]);
    expect(await refusal({ kind: 'delay' })).toEqual([
      400,
      { error: '"delay" needs "ms" (whole milliseconds)' },
    ]);
    expect(await refusal({ kind: 'hang', times: 0 })).toEqual([
      400,
      { error: '"times" must be a whole number >= 1' },
    ]);
    expect((await request(standin, 'GET', '/ai-standin/faults')).body).toEqual([]);
  });
});
