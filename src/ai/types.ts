/**
 * What the Worker asks of Workers AI: embeddings, chat, moderation. Routes depend on `AiClient`
 * only; `BindingAi` (the `AI` binding, on Cloudflare) and `RestAi` (the REST API, or the local
 * stand-in in development) implement it. Every failure is an `AiError` (errors.ts).
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A Workers AI text generation request (its field names, so it passes through unchanged). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Upper bound on generated tokens; Workers AI's default is 256. */
  max_tokens?: number;
  temperature?: number;
  /** true: the answer is the raw server-sent event stream (see `AiClient.chat`). */
  stream?: boolean;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  response: string;
  usage: TokenUsage;
}

export interface ModerationVerdict {
  safe: boolean;
  /** Hazard categories by name (`violent_crimes`, `hate`, …); empty when safe. */
  flags: string[];
  /** One sentence a person can read: what was flagged, or that nothing was. */
  reason: string;
}

export interface AiClient {
  /**
   * One 768-number embedding per text (`@cf/baai/bge-base-en-v1.5`), in the order given. More than
   * 100 texts are sent as several calls of at most 100; no texts, no call.
   */
  embed(texts: string[]): Promise<number[][]>;
  /**
   * Non-streaming: the whole reply and its token usage. Streaming: the Workers AI event stream as
   * it arrives, `data: {"response":"…"}` events, then one with `usage`, then `data: [DONE]`.
   */
  chat(request: ChatRequest & { stream: true }): Promise<ReadableStream<Uint8Array>>;
  chat(request: ChatRequest & { stream?: false }): Promise<ChatCompletion>;
  chat(request: ChatRequest): Promise<ChatCompletion | ReadableStream<Uint8Array>>;
  /** Llama Guard 3 (`@cf/meta/llama-guard-3-8b`) on `text` as a user message. */
  moderate(text: string): Promise<ModerationVerdict>;
}
