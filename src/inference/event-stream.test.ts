import { describe, expect, it } from 'vitest';
import { SseDecoder, sseFrame } from './event-stream';

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
