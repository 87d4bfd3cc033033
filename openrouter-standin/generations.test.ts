/** `GET /api/v1/generation?id=…` over real HTTP: the stats of generations the stand-in served. */
import { describe, expect, it } from 'vitest';
import { chat, request, sseFrames, standinForTests } from './test-support.ts';

const standin = standinForTests();

describe('GET /api/v1/generation', () => {
  it('returns the stats of a JSON generation: tokens, cost, finish reason', async () => {
    const completion = (
      await chat(standin, {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is x402?' }],
        max_tokens: 10,
      })
    ).body as { id: string; created: number };
    const answer = await request(standin, 'GET', `/api/v1/generation?id=${completion.id}`);
    expect(answer.status).toBe(200);
    // 4 × 0.00000015 + 10 × 0.0000006
    expect(answer.body).toEqual({
      data: {
        id: completion.id,
        upstream_id: null,
        total_cost: 0.0000066,
        cache_discount: null,
        upstream_inference_cost: null,
        created_at: new Date(completion.created * 1000).toISOString(),
        model: 'openai/gpt-4o-mini',
        app_id: null,
        streamed: false,
        cancelled: false,
        provider_name: 'OpenAI',
        latency: 0,
        moderation_latency: null,
        generation_time: 0,
        finish_reason: 'length',
        native_finish_reason: 'length',
        tokens_prompt: 4,
        tokens_completion: 10,
        native_tokens_prompt: 4,
        native_tokens_completion: 10,
        native_tokens_reasoning: 0,
        native_tokens_cached: 0,
        num_media_prompt: null,
        num_media_completion: null,
        num_search_results: null,
        origin: '',
        usage: 0.0000066,
        is_byok: false,
        api_type: 'completions',
      },
    });
  });

  it('marks a streamed generation as streamed, with timings from the stand-in pacing', async () => {
    const stream = await chat(standin, {
      model: 'google/gemini-flash-1.5',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
    });
    const id = stream.headers.get('x-generation-id') as string;
    expect((sseFrames(stream.body as string)[2] as { id: string }).id).toBe(id);
    const { body } = await request(standin, 'GET', `/api/v1/generation?id=${id}`);
    expect((body as { data: unknown }).data).toMatchObject({
      id,
      model: 'google/gemini-flash-1.5',
      provider_name: 'Google AI Studio',
      streamed: true,
      finish_reason: 'stop',
      native_finish_reason: 'STOP',
      tokens_prompt: 4,
      tokens_completion: 24,
      // 4 × 0.000000075 + 24 × 0.0000003
      total_cost: 0.0000075,
      // 2 comments, then 24 words, 5 ms apart.
      latency: 10,
      generation_time: 120,
    });
  });

  it('answers 404 for an id it did not serve, and 400 without an id', async () => {
    const unknown = await request(
      standin,
      'GET',
      '/api/v1/generation?id=gen-1700000000-AAAAAAAAAAAAAAAAAAAA',
    );
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: { code: 404, message: 'Generation not found' } },
    ]);
    const missing = await request(standin, 'GET', '/api/v1/generation');
    expect([missing.status, missing.body]).toEqual([
      400,
      {
        error: {
          code: 400,
          message: 'The "id" query parameter is required: a generation ID (gen-…)',
        },
      },
    ]);
  });

  it('keeps no generation for refused requests', async () => {
    const refused = await chat(standin, { model: 'nope/nope', messages: [] });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-generation-id')).toBeNull();
  });
});
