/**
 * Streams stopped by a `hold-stream` fault, waiting to send the rest of their frames. A test reads
 * what a relaying client got while the stand-in held the end back, then releases them
 * (`POST /openrouter-standin/release` or `standin.held.release()`); `GET /openrouter-standin/held`
 * lists them. Runtime-neutral, like the routes.
 */

export interface HeldStream {
  /** The generation id (`gen-…`). */
  id: string;
  /** Frames written before the hold. */
  sent: number;
  /** Frames the whole answer has. */
  total: number;
}

export class HeldStreams {
  readonly #held = new Map<object, { stream: HeldStream; resume: () => void }>();

  /**
   * Holds `stream` until `release()`, or until `abandoned` (the client went away, the stand-in
   * closes) resolves; either way the hold is over when the promise resolves.
   */
  hold(stream: HeldStream, abandoned: Promise<void>): Promise<void> {
    const key = {};
    return new Promise<void>((resolve) => {
      const resume = () => {
        this.#held.delete(key);
        resolve();
      };
      this.#held.set(key, { stream, resume });
      abandoned.then(resume, resume);
    });
  }

  /** What is held now. */
  list(): HeldStream[] {
    return [...this.#held.values()].map(({ stream }) => ({ ...stream }));
  }

  /** Lets every held stream send the rest; answers what was held. */
  release(): HeldStream[] {
    const released = this.list();
    for (const { resume } of [...this.#held.values()]) resume();
    return released;
  }
}
