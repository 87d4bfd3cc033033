import { describe, expect, it } from 'vitest';
import { relayEventStream, SseDecoder, sseFrame } from './event-stream';
import { OpenRouterRelay } from './openrouter-stream';
import type { CallOutcome } from './usage';
import { WorkersAiRelay } from './workers-ai-stream';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseDecoder', () => {
  it('dispatches an event per blank line, skipping comments, across any chunk boundary', () => {
    const stream = bytes(
      ': OPENROUTER PROCESSING\r\n\r\ndata: {"a":"é"}\r\n\r\ndata: one\ndata: two\n\nevent: x\rdata:[DONE]\r\r',
    );
    // Every split point, including inside the two-byte "é" and between CR and LF.
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const decoder = new SseDecoder();
      const events = [
        ...decoder.push(stream.slice(0, cut)),
        ...decoder.push(stream.slice(cut)),
        ...decoder.finish(),
      ];
      expect(events).toEqual(['{"a":"é"}', 'one\ntwo', '[DONE]']);
    }
  });

  it('dispatches a last event the stream did not close with a blank line', () => {
    const decoder = new SseDecoder();
    expect(decoder.push(bytes('data: [DONE]'))).toEqual([]);
    expect(decoder.finish()).toEqual(['[DONE]']);
  });

  it('frames data back, one data line per line', () => {
    expect(sseFrame('one\ntwo')).toBe('data: one\ndata: two\n\n');
  });
});

/** An upstream that sends `frames`, then either ends or (with `stall`) sends nothing more. */
function upstreamOf(frames: string[], { stall }: { stall: boolean }) {
  const cancelled: unknown[] = [];
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const frame = frames[next++];
      if (frame !== undefined) controller.enqueue(bytes(frame));
      else if (stall) return new Promise<void>(() => {});
      else controller.close();
    },
    cancel(reason) {
      cancelled.push((reason as Error).message);
    },
  });
  return { body, cancelled };
}

/** The relayed body's event data, and the outcome recorded once the relay is over. */
async function relayed(
  body: ReadableStream<Uint8Array>,
  relay: OpenRouterRelay | WorkersAiRelay,
  idleTimeoutMs: number,
) {
  let outcome: CallOutcome | undefined;
  const stream = relayEventStream(
    body,
    relay,
    async (end) => {
      outcome = end;
    },
    { idleTimeoutMs },
  );
  const text = await new Response(stream.body).text();
  await stream.finished;
  const events = text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => event.replace(/^data: /, ''));
  return { events, outcome };
}

const word =
  '{"id":"gen-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}';
const usage =
  '{"id":"gen-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1,"cost":0.0000012}}';

describe('relayEventStream', () => {
  it('ends a stream whose upstream goes silent: error chunk, [DONE], upstream cancelled, failed', async () => {
    const upstream = upstreamOf([': OPENROUTER PROCESSING\n\n', `data: ${word}\n\n`], {
      stall: true,
    });
    const { events, outcome } = await relayed(upstream.body, new OpenRouterRelay(), 20);
    expect(events).toEqual([
      word,
      JSON.stringify({
        id: 'gen-1',
        object: 'chat.completion.chunk',
        error: {
          code: 504,
          message:
            'the upstream stream sent nothing for 0.02 s; the payment is recorded as owed to you',
        },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
      '[DONE]',
    ]);
    expect(upstream.cancelled).toEqual(['the upstream stream sent nothing for 0.02 s']);
    expect(outcome).toEqual({
      status: 'failed',
      detail: 'the upstream stream sent nothing for 0.02 s',
      usage: null,
      generationId: 'gen-1',
    });
  });

  it('ends a stream that stops after its usage chunk with [DONE]: a complete call', async () => {
    const upstream = upstreamOf([`data: ${word}\n\n`, `data: ${usage}\n\n`], { stall: false });
    const { events, outcome } = await relayed(upstream.body, new OpenRouterRelay(), 1000);
    expect(events).toEqual([word, usage, '[DONE]']);
    expect(upstream.cancelled).toEqual([]);
    expect(outcome).toMatchObject({
      status: 'completed',
      usage: { promptTokens: 4, completionTokens: 1 },
      generationId: 'gen-1',
    });
  });

  it('a silent usage-complete stream is complete too: [DONE], nothing owed', async () => {
    const upstream = upstreamOf([`data: ${usage}\n\n`], { stall: true });
    const { events, outcome } = await relayed(upstream.body, new OpenRouterRelay(), 20);
    expect(events).toEqual([usage, '[DONE]']);
    expect(upstream.cancelled).toEqual(['the upstream stream sent nothing for 0.02 s']);
    expect(outcome?.status).toBe('completed');
  });

  it('ends a silent Workers AI stream the same way, in chat.completion.chunks', async () => {
    const upstream = upstreamOf(['data: {"response":"Hi"}\n\n'], { stall: true });
    const identity = { id: 'chatcmpl-1', model: '@cf/meta/llama-3.1-8b-instruct', created: 1 };
    const relay = new WorkersAiRelay(identity, 8, () => null);
    const { events, outcome } = await relayed(upstream.body, relay, 20);
    const head = { ...identity, object: 'chat.completion.chunk' };
    expect(events.map((event) => (event === '[DONE]' ? event : JSON.parse(event)))).toEqual([
      {
        id: head.id,
        object: head.object,
        created: 1,
        model: head.model,
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }],
      },
      {
        id: head.id,
        object: head.object,
        created: 1,
        model: head.model,
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
        error: {
          code: 504,
          message:
            'the upstream stream sent nothing for 0.02 s; the payment is recorded as owed to you',
        },
      },
      '[DONE]',
    ]);
    expect(upstream.cancelled).toEqual(['the upstream stream sent nothing for 0.02 s']);
    expect(outcome).toEqual({
      status: 'failed',
      detail: 'the upstream stream sent nothing for 0.02 s',
      usage: null,
    });
  });
});
