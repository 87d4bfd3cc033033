/**
 * Server-sent events passed through as they arrive (never read whole): each upstream event is
 * decoded (WHATWG HTML "server-sent events": lines end in CRLF, LF or CR, a blank line ends an
 * event, a line starting with `:` is a comment, `data:` lines join with LF), handed to a relay that
 * says what to send on, and re-framed. Comments (OpenRouter's `: OPENROUTER PROCESSING`
 * keep-alives) are dropped.
 *
 * The stream's own end decides what the call came to: the relay has seen every event (a final
 * usage chunk, an error chunk, `[DONE]` or not) and is told how the upstream ended; the result is
 * recorded by the caller's `onFinished`, which runs after the answer (`ctx.waitUntil`). When the
 * caller goes away, the upstream request is cancelled too (no tokens generated for nobody).
 *
 * An upstream that stops sending without closing (a provider stalled after the headers) would
 * otherwise hold the caller, and leave the payment's outcome undecided, for as long as the caller
 * waits: after `idleTimeoutMs` with no byte from upstream the relay cancels the upstream and ends
 * the stream itself, as a failure (`idle`).
 */

/** Why the Worker, not the upstream, ended a stream. */
export interface StreamFailure {
  /** `broken`: reading the upstream failed; `idle`: it sent nothing for the idle timeout. */
  kind: 'broken' | 'idle';
  /** A sentence fragment: "the upstream stream sent nothing for 60 s". */
  detail: string;
}

export interface EventRelay<Outcome> {
  /** One upstream event's data: the data of the events to send on, in order. */
  onEvent(data: string): string[];
  /** The upstream ended (`failure` when the Worker ended it): the last events to send. */
  onEnd(failure?: StreamFailure): string[];
  /** What the call came to, once the stream is over. */
  outcome(end: StreamEnd): Outcome;
}

export type StreamEnd =
  | { type: 'ended' }
  | { type: 'failed'; detail: string }
  /** The caller stopped reading: the upstream request was cancelled. */
  | { type: 'cancelled' };

/** Incremental SSE decoding: bytes in, the `data` of each complete event out. */
export class SseDecoder {
  readonly #text = new TextDecoder();
  #buffer = '';
  #data: string[] = [];
  #sawData = false;

  push(chunk: Uint8Array): string[] {
    return this.#lines(this.#text.decode(chunk, { stream: true }), false);
  }

  /** The end of the stream: an event not closed by a blank line is still dispatched. */
  finish(): string[] {
    const events = this.#lines(this.#text.decode(), true);
    if (this.#sawData) events.push(this.#take());
    return events;
  }

  #lines(text: string, final: boolean): string[] {
    this.#buffer += text;
    const events: string[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      // A lone CR at the end of a chunk may be half of a CRLF: wait for the next chunk.
      if (end === -1 || (!final && end === this.#buffer.length - 1 && this.#buffer[end] === '\r'))
        break;
      const line = this.#buffer.slice(0, end);
      const width = this.#buffer.startsWith('\r\n', end) ? 2 : 1;
      this.#buffer = this.#buffer.slice(end + width);
      if (line === '') {
        if (this.#sawData) events.push(this.#take());
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') {
          this.#data.push(value);
          this.#sawData = true;
        }
      }
    }
    if (final && this.#buffer !== '') {
      const rest = this.#buffer;
      this.#buffer = '';
      if (rest.startsWith('data:')) {
        this.#data.push(rest.slice(rest.startsWith('data: ') ? 6 : 5));
        this.#sawData = true;
      }
    }
    return events;
  }

  #take(): string {
    const data = this.#data.join('\n');
    this.#data = [];
    this.#sawData = false;
    return data;
  }
}

/** One event for `data` (several lines become several `data:` lines). */
export function sseFrame(data: string): string {
  return `${data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

export interface RelayedStream {
  /** The stream to answer with (`text/event-stream`). */
  body: ReadableStream<Uint8Array>;
  /** Settles once the stream is over and `onFinished` has run; never rejects. */
  finished: Promise<void>;
}

/** What `reader.read()` came to within the idle timeout. */
type TimedRead = ReadableStreamReadResult<Uint8Array> | { idle: true };

/** One read, or `{idle: true}` when nothing arrived within `ms`. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<TimedRead> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<TimedRead>((resolve) => {
    timer = setTimeout(() => resolve({ idle: true }), ms);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export interface RelayOptions {
  /** Longest wait for the upstream's next bytes before the relay ends the stream (`idle`). */
  idleTimeoutMs: number;
}

/**
 * Relays `upstream` through a TransformStream whose transform decodes and re-frames each event,
 * whose flush sends the relay's last events, and whose cancel notes that the caller went away.
 * A pump reads the upstream as the caller reads (the transform's backpressure), so nothing is
 * buffered beyond the event in hand; only the wait for upstream bytes counts towards the idle
 * timeout, never a caller slow to read.
 */
export function relayEventStream<Outcome>(
  upstream: ReadableStream<Uint8Array>,
  relay: EventRelay<Outcome>,
  onFinished: (outcome: Outcome) => Promise<void>,
  { idleTimeoutMs }: RelayOptions,
): RelayedStream {
  const decoder = new SseDecoder();
  const encoder = new TextEncoder();
  const reader = upstream.getReader();
  let failure: StreamFailure | undefined;
  let cancelled = false;
  const send = (controller: TransformStreamDefaultController<Uint8Array>, events: string[]) => {
    for (const data of events) controller.enqueue(encoder.encode(sseFrame(data)));
  };
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      for (const data of decoder.push(chunk)) send(controller, relay.onEvent(data));
    },
    flush(controller) {
      for (const data of decoder.finish()) send(controller, relay.onEvent(data));
      send(controller, relay.onEnd(failure));
    },
    cancel(reason) {
      // The caller went away: stop the generation upstream too (a pending read then ends).
      cancelled = true;
      reader.cancel(reason).catch(() => {});
    },
  });

  async function pump(): Promise<StreamEnd> {
    const writer = writable.getWriter();
    try {
      for (;;) {
        let next: TimedRead;
        try {
          next = await readWithin(reader, idleTimeoutMs);
        } catch (error) {
          failure = {
            kind: 'broken',
            detail: `the upstream stream broke off (${(error as Error).message})`,
          };
          break;
        }
        if ('idle' in next) {
          failure = {
            kind: 'idle',
            detail: `the upstream stream sent nothing for ${idleTimeoutMs / 1000} s`,
          };
          // Stop the generation upstream: nobody will read the rest.
          await reader.cancel(new Error(failure.detail)).catch(() => {});
          break;
        }
        if (next.done) break;
        await writer.write(next.value);
      }
      await writer.close();
      return failure === undefined ? { type: 'ended' } : { type: 'failed', detail: failure.detail };
    } catch (error) {
      // Writing failed: the caller cancelled the answer. Stop the generation upstream too.
      await reader.cancel(error).catch(() => {});
      cancelled = true;
      return { type: 'cancelled' };
    }
  }

  const finished = pump()
    .then((end) => onFinished(relay.outcome(cancelled ? { type: 'cancelled' } : end)))
    .catch((error) => console.error('recording a streamed answer failed', error));
  return { body: readable, finished };
}
