/**
 * The Workers AI models this service uses, and the limits Workers AI puts on them. Shared with the
 * local stand-in (ai-standin/), which answers for exactly these models.
 */

/** BAAI bge-base-en-v1.5: English text embeddings. */
export const EMBEDDING_MODEL = '@cf/baai/bge-base-en-v1.5';
/** Length of every bge-base-en-v1.5 embedding. */
export const EMBEDDING_DIMENSIONS = 768;
/** Workers AI refuses more texts than this in one embedding call (a 400, code 5006). */
export const MAX_EMBEDDING_BATCH = 100;

/** Text generation (chat) models the stand-in answers for; Workers AI has many more. */
export const CHAT_MODELS = [
  '@cf/meta/llama-3.1-8b-instruct',
  '@cf/meta/llama-3.2-3b-instruct',
] as const;

/**
 * Llama Guard 3: answers `safe`, or `unsafe` and a line of comma-separated hazard categories
 * (`unsafe\nS1,S10`), for the last turn of a conversation.
 */
export const MODERATION_MODEL = '@cf/meta/llama-guard-3-8b';

/** What a text generation model produces when `max_tokens` is not given (Workers AI's default). */
export const DEFAULT_MAX_TOKENS = 256;
