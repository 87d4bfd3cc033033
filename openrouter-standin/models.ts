/**
 * The models the stand-in serves: the one table behind `GET /api/v1/models`, request validation
 * (`max_tokens`, context length), `usage.cost` and each answer's `provider`. Entries have the
 * fields of OpenRouter's catalogue, with prices as decimal strings in USD per token (per image,
 * per request, per search for `image`, `request`, `web_search`). Ids, names, context lengths and
 * prices are modelled on OpenRouter's listing; the descriptions are the stand-in's own.
 */

export interface ModelPricing {
  prompt: string;
  completion: string;
  request: string;
  image: string;
  web_search: string;
  internal_reasoning: string;
}

/** One entry of `GET /api/v1/models` `data`. */
export interface CatalogueModel {
  id: string;
  canonical_slug: string;
  hugging_face_id: string | null;
  name: string;
  /** Unix seconds. */
  created: number;
  description: string;
  context_length: number;
  architecture: {
    modality: string;
    input_modalities: string[];
    output_modalities: string[];
    tokenizer: string;
    instruct_type: string | null;
  };
  pricing: ModelPricing;
  top_provider: {
    context_length: number;
    /** null: no cap below the context length. */
    max_completion_tokens: number | null;
    is_moderated: boolean;
  };
  per_request_limits: null;
  supported_parameters: string[];
}

export interface StandinModel {
  catalogue: CatalogueModel;
  /** The provider named in answers (`provider`) and in generation stats (`provider_name`). */
  provider: string;
  /** The provider's own words for a natural stop and for hitting `max_tokens`. */
  nativeFinishReason: { stop: string; length: string };
}

const OPENAI_PARAMETERS = [
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
];
const OPEN_WEIGHTS_PARAMETERS = [
  'frequency_penalty',
  'max_tokens',
  'min_p',
  'presence_penalty',
  'repetition_penalty',
  'response_format',
  'seed',
  'stop',
  'temperature',
  'tool_choice',
  'tools',
  'top_k',
  'top_p',
];

const FREE: ModelPricing = {
  prompt: '0',
  completion: '0',
  request: '0',
  image: '0',
  web_search: '0',
  internal_reasoning: '0',
};

export const MODELS: readonly StandinModel[] = [
  {
    provider: 'OpenAI',
    nativeFinishReason: { stop: 'stop', length: 'length' },
    catalogue: {
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
      pricing: { ...FREE, prompt: '0.00000015', completion: '0.0000006', image: '0.000217' },
      top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
      per_request_limits: null,
      supported_parameters: OPENAI_PARAMETERS,
    },
  },
  {
    provider: 'Anthropic',
    nativeFinishReason: { stop: 'end_turn', length: 'max_tokens' },
    catalogue: {
      id: 'anthropic/claude-3.5-haiku',
      canonical_slug: 'anthropic/claude-3-5-haiku',
      hugging_face_id: null,
      name: 'Anthropic: Claude 3.5 Haiku',
      created: 1730678400,
      description: "Anthropic's fastest Claude 3.5 model, for quick answers and tool use.",
      context_length: 200000,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
        tokenizer: 'Claude',
        instruct_type: null,
      },
      pricing: { ...FREE, prompt: '0.0000008', completion: '0.000004' },
      top_provider: { context_length: 200000, max_completion_tokens: 8192, is_moderated: true },
      per_request_limits: null,
      supported_parameters: [
        'max_tokens',
        'stop',
        'temperature',
        'tool_choice',
        'tools',
        'top_k',
        'top_p',
      ],
    },
  },
  {
    provider: 'DeepInfra',
    nativeFinishReason: { stop: 'stop', length: 'length' },
    catalogue: {
      id: 'meta-llama/llama-3.1-8b-instruct',
      canonical_slug: 'meta-llama/llama-3.1-8b-instruct',
      hugging_face_id: 'meta-llama/Meta-Llama-3.1-8B-Instruct',
      name: 'Meta: Llama 3.1 8B Instruct',
      created: 1721692800,
      description: "Meta's 8-billion-parameter instruction-tuned Llama 3.1, fast and inexpensive.",
      context_length: 131072,
      architecture: {
        modality: 'text->text',
        input_modalities: ['text'],
        output_modalities: ['text'],
        tokenizer: 'Llama3',
        instruct_type: 'llama3',
      },
      pricing: { ...FREE, prompt: '0.00000002', completion: '0.00000003' },
      top_provider: { context_length: 131072, max_completion_tokens: 16384, is_moderated: false },
      per_request_limits: null,
      supported_parameters: OPEN_WEIGHTS_PARAMETERS,
    },
  },
  {
    provider: 'Mistral',
    nativeFinishReason: { stop: 'stop', length: 'length' },
    catalogue: {
      id: 'mistralai/mistral-small',
      canonical_slug: 'mistralai/mistral-small',
      hugging_face_id: null,
      name: 'Mistral Small',
      created: 1704844800,
      description:
        "Mistral's small enterprise model for translation, summaries and classification.",
      context_length: 32768,
      architecture: {
        modality: 'text->text',
        input_modalities: ['text'],
        output_modalities: ['text'],
        tokenizer: 'Mistral',
        instruct_type: null,
      },
      pricing: { ...FREE, prompt: '0.0000002', completion: '0.0000006' },
      top_provider: { context_length: 32768, max_completion_tokens: null, is_moderated: false },
      per_request_limits: null,
      supported_parameters: OPENAI_PARAMETERS.filter((name) => !name.includes('logprobs')),
    },
  },
  {
    provider: 'Google AI Studio',
    nativeFinishReason: { stop: 'STOP', length: 'MAX_TOKENS' },
    catalogue: {
      id: 'google/gemini-flash-1.5',
      canonical_slug: 'google/gemini-flash-1.5',
      hugging_face_id: null,
      name: 'Google: Gemini 1.5 Flash',
      created: 1715644800,
      description: "Google's fast Gemini 1.5 model with a one-million-token context window.",
      context_length: 1000000,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
        tokenizer: 'Gemini',
        instruct_type: null,
      },
      pricing: { ...FREE, prompt: '0.000000075', completion: '0.0000003', image: '0.00004' },
      top_provider: { context_length: 1000000, max_completion_tokens: 8192, is_moderated: false },
      per_request_limits: null,
      supported_parameters: OPENAI_PARAMETERS.filter((name) => !name.includes('logit')),
    },
  },
  {
    provider: 'Chutes',
    nativeFinishReason: { stop: 'stop', length: 'length' },
    catalogue: {
      id: 'meta-llama/llama-3.2-3b-instruct:free',
      canonical_slug: 'meta-llama/llama-3.2-3b-instruct',
      hugging_face_id: 'meta-llama/Llama-3.2-3B-Instruct',
      name: 'Meta: Llama 3.2 3B Instruct (free)',
      created: 1727222400,
      description: "Meta's 3-billion-parameter Llama 3.2 on a free, rate-limited endpoint.",
      context_length: 20000,
      architecture: {
        modality: 'text->text',
        input_modalities: ['text'],
        output_modalities: ['text'],
        tokenizer: 'Llama3',
        instruct_type: 'llama3',
      },
      pricing: FREE,
      top_provider: { context_length: 20000, max_completion_tokens: 4096, is_moderated: false },
      per_request_limits: null,
      supported_parameters: OPEN_WEIGHTS_PARAMETERS,
    },
  },
];

const BY_ID: ReadonlyMap<string, StandinModel> = new Map(
  MODELS.map((model) => [model.catalogue.id, model]),
);

export function findModel(id: string): StandinModel | undefined {
  return BY_ID.get(id);
}

/** `GET /api/v1/models`. */
export function modelCatalogue(): { data: CatalogueModel[]; total_count: number } {
  return { data: MODELS.map((model) => model.catalogue), total_count: MODELS.length };
}
