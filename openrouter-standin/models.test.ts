/** `GET /api/v1/models` over real HTTP: OpenRouter's catalogue shape, prices as decimal strings. */
import { describe, expect, it } from 'vitest';
import { MODELS } from './models.ts';
import { request, standinForTests } from './test-support.ts';

const standin = standinForTests();

describe('GET /api/v1/models', () => {
  it('lists the six models, with no key needed, and total_count', async () => {
    const answer = await request(standin, 'GET', '/api/v1/models', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    const body = answer.body as { data: { id: string }[]; total_count: number };
    expect(body.data.map((model) => model.id)).toEqual([
      'openai/gpt-4o-mini',
      'anthropic/claude-3.5-haiku',
      'meta-llama/llama-3.1-8b-instruct',
      'mistralai/mistral-small',
      'google/gemini-flash-1.5',
      'meta-llama/llama-3.2-3b-instruct:free',
    ]);
    expect(body.total_count).toBe(6);
  });

  it('describes each model with OpenRouter catalogue fields', async () => {
    const { body } = await request(standin, 'GET', '/api/v1/models');
    expect((body as { data: unknown[] }).data[0]).toEqual({
      id: 'openai/gpt-4o-mini',
      canonical_slug: 'openai/gpt-4o-mini-2024-07-18',
      hugging_face_id: null,
      name: 'OpenAI: GPT-4o-mini',
      created: 1721260800,
      description:
        "OpenAI's small multimodal model: text and image in, text out, priced well below GPT-4o.",
      context_length: 128000,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image', 'file'],
        output_modalities: ['text'],
        tokenizer: 'GPT',
        instruct_type: null,
      },
      pricing: {
        prompt: '0.00000015',
        completion: '0.0000006',
        request: '0',
        image: '0.000217',
        web_search: '0',
        internal_reasoning: '0',
      },
      top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
      per_request_limits: null,
      supported_parameters: [
        'frequency_penalty',
        'logit_bias',
        'logprobs',
        'max_tokens',
        'presence_penalty',
        'response_format',
        'seed',
        'stop',
        'structured_outputs',
        'temperature',
        'tool_choice',
        'tools',
        'top_logprobs',
        'top_p',
      ],
    });
  });

  it('prices every model in USD per token as decimal strings, the free one at "0"', async () => {
    const { body } = await request(standin, 'GET', '/api/v1/models');
    const data = (body as { data: { id: string; pricing: Record<string, unknown> }[] }).data;
    expect(Object.fromEntries(data.map((model) => [model.id, model.pricing.prompt]))).toEqual({
      'openai/gpt-4o-mini': '0.00000015',
      'anthropic/claude-3.5-haiku': '0.0000008',
      'meta-llama/llama-3.1-8b-instruct': '0.00000002',
      'mistralai/mistral-small': '0.0000002',
      'google/gemini-flash-1.5': '0.000000075',
      'meta-llama/llama-3.2-3b-instruct:free': '0',
    });
    expect(Object.fromEntries(data.map((model) => [model.id, model.pricing.completion]))).toEqual({
      'openai/gpt-4o-mini': '0.0000006',
      'anthropic/claude-3.5-haiku': '0.000004',
      'meta-llama/llama-3.1-8b-instruct': '0.00000003',
      'mistralai/mistral-small': '0.0000006',
      'google/gemini-flash-1.5': '0.0000003',
      'meta-llama/llama-3.2-3b-instruct:free': '0',
    });
    for (const model of data) {
      expect(Object.keys(model.pricing).sort()).toEqual([
        'completion',
        'image',
        'internal_reasoning',
        'prompt',
        'request',
        'web_search',
      ]);
      for (const price of Object.values(model.pricing)) expect(price).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  it('serves the table the tests and the stand-in share (models.ts)', async () => {
    const { body } = await request(standin, 'GET', '/api/v1/models');
    expect((body as { data: unknown[] }).data).toEqual(MODELS.map((model) => model.catalogue));
  });
});

describe('GET /health', () => {
  it('answers ok with the model ids', async () => {
    expect((await request(standin, 'GET', '/health', { key: null })).body).toEqual({
      status: 'ok',
      models: MODELS.map((model) => model.catalogue.id),
    });
  });

  it('answers any other path with a 404 in the error body', async () => {
    const answer = await request(standin, 'GET', '/api/v1/nothing-here');
    expect([answer.status, answer.body]).toEqual([
      404,
      { error: { code: 404, message: 'Not Found' } },
    ]);
  });
});
