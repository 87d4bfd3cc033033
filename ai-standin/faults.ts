/**
 * Fault injection: Workers AI's unhappy paths on demand, so callers' error handling can be tested
 * against them. Armed with `POST /ai-standin/faults` (JSON body: a `Fault`) or
 * `standin.faults.arm(fault)`; `DELETE /ai-standin/faults` disarms everything. Faults apply to
 * model runs only (`POST /client/v4/accounts/…/ai/run/…`), in the order armed, each for `times`
 * runs (default 1).
 */
import { FaultQueue, faultFields, isCount } from '../standin-kit/faults.ts';

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

export class FaultPlan extends FaultQueue<Fault> {
  /** Uses up one run of the first armed fault, if any. */
  take(): Fault | undefined {
    return this.takeFirst(() => true);
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
  const fault = faultFields(body);
  if (typeof fault === 'string') return fault;
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
