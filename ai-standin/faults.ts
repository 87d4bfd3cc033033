/**
 * Fault injection: Workers AI's unhappy paths on demand, so callers' error handling can be tested
 * against them. Armed with `POST /ai-standin/faults` (JSON body: a `Fault`) or
 * `standin.faults.arm(fault)`; `DELETE /ai-standin/faults` disarms everything. Faults apply to
 * model runs only (`POST /client/v4/accounts/…/ai/run/…`), in the order armed, each for `times`
 * runs (default 1).
 */

export type Fault =
  /**
   * The next run(s) answer this status with the Cloudflare error envelope. Without `code` and
   * `message`: 429 is Workers AI's 3040 (out of capacity), anything else its 3043 (internal error).
   */
  | { kind: 'http-error'; status: number; code?: number; message?: string; times?: number }
  /** The next run(s) are never answered (the connection stays open until the stand-in closes). */
  | { kind: 'hang'; times?: number }
  /** The next run(s) are answered normally, `ms` late. */
  | { kind: 'delay'; ms: number; times?: number };

type ArmedFault = Fault & { remaining: number };

export class FaultPlan {
  private armed: ArmedFault[] = [];

  arm(fault: Fault): void {
    this.armed.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Uses up one run of the first armed fault, if any. */
  take(): Fault | undefined {
    const fault = this.armed[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.armed.shift();
    const { remaining, ...taken } = fault;
    return taken;
  }

  clear(): void {
    this.armed = [];
  }

  /** The armed faults, `times` being the runs each has left. */
  describe(): Fault[] {
    return this.armed.map(({ remaining, ...fault }) => ({ ...fault, times: remaining }));
  }
}

/** The error a `http-error` fault answers with, when it does not name one. */
export function defaultFaultError(status: number): { code: number; message: string } {
  return status === 429
    ? { code: 3040, message: 'Capacity temporarily exceeded, please try again.' }
    : { code: 3043, message: 'Internal server error' };
}

/** Checks an untrusted body (of `POST /ai-standin/faults`); returns the fault or an error. */
export function parseFault(body: unknown): Fault | string {
  if (typeof body !== 'object' || body === null || !('kind' in body)) {
    return 'expected a JSON object with a "kind"';
  }
  const fault = body as Record<string, unknown>;
  const isCount = (value: unknown, min: number) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min;
  if (fault.times !== undefined && !isCount(fault.times, 1)) {
    return '"times" must be a whole number >= 1';
  }
  switch (fault.kind) {
    case 'http-error':
      if (!isCount(fault.status, 400) || (fault.status as number) > 599) {
        return '"http-error" needs a "status" between 400 and 599';
      }
      if (fault.code !== undefined && !isCount(fault.code, 0)) return '"code" must be a number';
      if (fault.message !== undefined && typeof fault.message !== 'string') {
        return '"message" must be a string';
      }
      return fault as Fault;
    case 'hang':
      return fault as Fault;
    case 'delay':
      return isCount(fault.ms, 0) ? (fault as Fault) : '"delay" needs "ms" (whole milliseconds)';
    default:
      return `unknown fault kind ${JSON.stringify(fault.kind)}; expected "http-error", "hang" or "delay"`;
  }
}
