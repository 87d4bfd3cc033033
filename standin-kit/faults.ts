/**
 * Fault injection as the stand-ins do it: faults armed in order, each for `times` requests
 * (default 1), listed with the requests they have left, cleared all at once; and the control
 * endpoint (`GET` lists, `POST` arms a checked JSON body, `DELETE` disarms). Each stand-in names
 * its own fault kinds and checks their fields. Runtime-neutral.
 */
import { isRecord, type JsonReply, jsonBody } from './http.ts';

export interface Armable {
  kind: string;
  times?: number;
}

export class FaultQueue<Fault extends Armable> {
  #armed: (Fault & { remaining: number })[] = [];

  arm(fault: Fault): void {
    this.#armed.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Uses up one request of the first armed fault that `applies`, if any. */
  protected takeFirst(applies: (fault: Fault) => boolean): Fault | undefined {
    const index = this.#armed.findIndex(applies);
    if (index === -1) return undefined;
    const fault = this.#armed[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#armed.splice(index, 1);
    const { remaining, ...taken } = fault;
    return taken as unknown as Fault;
  }

  clear(): void {
    this.#armed = [];
  }

  /** The armed faults, `times` being the requests each has left. */
  describe(): Fault[] {
    return this.#armed.map(
      ({ remaining, ...fault }) => ({ ...fault, times: remaining }) as unknown as Fault,
    );
  }
}

export const isCount = (value: unknown, min: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min;

/** An untrusted fault body's fields, once it is an object with a `kind` and a valid `times`. */
export function faultFields(body: unknown): Record<string, unknown> | string {
  if (!isRecord(body) || !('kind' in body)) return 'expected a JSON object with a "kind"';
  if (body.times !== undefined && !isCount(body.times, 1)) {
    return '"times" must be a whole number >= 1';
  }
  return body;
}

/**
 * The control endpoint of a fault queue; undefined for a method it does not serve. `parse` checks
 * a body and answers the fault or why it is refused.
 */
export function controlFaults<Fault extends Armable>(
  faults: FaultQueue<Fault>,
  request: { method: string; body: Uint8Array },
  parse: (body: unknown) => Fault | string,
): JsonReply | undefined {
  switch (request.method) {
    case 'GET':
      return { status: 200, json: faults.describe() };
    case 'DELETE':
      faults.clear();
      return { status: 200, json: faults.describe() };
    case 'POST': {
      const body = jsonBody(request);
      if (body === undefined) return { status: 400, json: { error: 'expected a JSON body' } };
      const fault = parse(body);
      if (typeof fault === 'string') return { status: 400, json: { error: fault } };
      faults.arm(fault);
      return { status: 200, json: faults.describe() };
    }
    default:
      return undefined;
  }
}
