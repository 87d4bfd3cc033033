/**
 * The models the stand-in answers for, by Workers AI model id, and what runs each. Any other id
 * is refused as Workers AI refuses an unknown model: 400, code 5007, `No such model … or task`.
 */
import { CHAT_MODELS, EMBEDDING_MODEL, MODERATION_MODEL } from '../src/ai/models.ts';
import { runEmbeddingModel } from './embeddings.ts';
import { failure, type Reply } from './http.ts';
import { runLlamaGuard } from './llama-guard.ts';
import { chatReplyText, generationReply, readGenerationInputs } from './text-generation.ts';

type ModelRunner = (inputs: unknown) => Reply;

function runChatModel(model: string): ModelRunner {
  return (inputs) => {
    const read = readGenerationInputs(inputs);
    if (!read.ok) return read.reply;
    return generationReply(read.inputs, chatReplyText(model, read.inputs.messages));
  };
}

export const MODELS: ReadonlyMap<string, ModelRunner> = new Map<string, ModelRunner>([
  [EMBEDDING_MODEL, runEmbeddingModel],
  ...CHAT_MODELS.map((model): [string, ModelRunner] => [model, runChatModel(model)]),
  [MODERATION_MODEL, runLlamaGuard],
]);

/** Runs `model` on the request's parsed JSON body (`undefined` when it was not JSON). */
export function runModel(model: string, inputs: unknown): Reply {
  const run = MODELS.get(model);
  if (!run) return failure(400, { code: 5007, message: `No such model ${model} or task` });
  if (inputs === undefined) {
    return failure(400, { code: 3003, message: 'Request is missing headers or body: body' });
  }
  return run(inputs);
}
