/**
 * Fault injection: the unhappy paths of a real node, API and facilitator, on demand, so the
 * Worker's settlement code can be tested against them. Armed with `POST /devnet/faults` (JSON
 * body: a `Fault`) or `devnet.faults.arm(fault)`; `DELETE /devnet/faults` disarms everything.
 */

export type Fault =
  /** The next broadcast(s) are refused with this stacks-core reason (HTTP 400, node JSON shape). */
  | {
      kind: 'reject-broadcast';
      reason: string;
      reasonData?: Record<string, unknown>;
      times?: number;
    }
  /** The next broadcast(s) get this HTTP status (e.g. 500, 502, 503) and are not accepted. */
  | { kind: 'broadcast-http-error'; status: number; times?: number }
  /** The next broadcast(s) are never answered (the connection stays open until the devnet closes). */
  | { kind: 'hang-broadcast'; times?: number }
  /** The next broadcast(s) are accepted, but the answer comes `ms` late. */
  | { kind: 'delay-broadcast'; ms: number; times?: number }
  /** The facilitator's next `/settle`(s) of a valid payment fail with this `errorReason`. */
  | { kind: 'reject-settle'; errorReason: string; times?: number }
  /** The transaction (or else the next one accepted) stays pending for `blocks` more blocks. */
  | { kind: 'hold-transaction'; txid?: string; blocks: number }
  /** The transaction (or else the next one accepted) is mined as `abort_by_response` without running. */
  | { kind: 'abort-transaction'; txid?: string }
  /** The pending transaction is dropped now, as if a higher fee replaced it. */
  | { kind: 'replace-transaction'; txid: string };

export type BroadcastFault = Extract<
  Fault,
  { kind: 'reject-broadcast' | 'broadcast-http-error' | 'hang-broadcast' | 'delay-broadcast' }
>;
type ArmedBroadcastFault = BroadcastFault & { remaining: number };
export type SettleFault = Extract<Fault, { kind: 'reject-settle' }>;
type ArmedSettleFault = SettleFault & { remaining: number };

export class FaultPlan {
  private broadcast: ArmedBroadcastFault[] = [];
  private settle: ArmedSettleFault[] = [];
  private forNextTx: Array<Extract<Fault, { kind: 'hold-transaction' | 'abort-transaction' }>> = [];
  private readonly held = new Map<string, number>();
  private readonly aborting = new Set<string>();

  /** Arms a fault. `replace-transaction` is an action, not a plan: the chain carries it out. */
  arm(fault: Exclude<Fault, { kind: 'replace-transaction' }>): void {
    switch (fault.kind) {
      case 'hold-transaction':
      case 'abort-transaction':
        if (fault.txid === undefined) this.forNextTx.push(fault);
        else this.attach(normalizeTxid(fault.txid), fault);
        break;
      case 'reject-settle':
        this.settle.push({ ...fault, remaining: fault.times ?? 1 });
        break;
      default:
        this.broadcast.push({ ...fault, remaining: fault.times ?? 1 });
    }
  }

  /** Uses up one broadcast fault, if any is armed (`/settle` admits through here too). */
  takeBroadcastFault(): BroadcastFault | undefined {
    return takeFrom(this.broadcast);
  }

  /** Uses up one facilitator settle fault, if any is armed. */
  takeSettleFault(): SettleFault | undefined {
    return takeFrom(this.settle);
  }

  /** A transaction was accepted: faults armed for "the next transaction" now target it. */
  accepted(txid: string): void {
    for (const fault of this.forNextTx) this.attach(txid, fault);
    this.forNextTx = [];
  }

  isHeld(txid: string): boolean {
    return (this.held.get(txid) ?? 0) > 0;
  }

  mustAbort(txid: string): boolean {
    return this.aborting.has(txid);
  }

  /** A block was mined: held transactions are one block closer to release. */
  blockMined(): void {
    for (const [txid, blocks] of this.held) {
      if (blocks <= 1) this.held.delete(txid);
      else this.held.set(txid, blocks - 1);
    }
  }

  clear(): void {
    this.broadcast = [];
    this.settle = [];
    this.forNextTx = [];
    this.held.clear();
    this.aborting.clear();
  }

  describe(): {
    broadcast: BroadcastFault[];
    settle: SettleFault[];
    held: Record<string, number>;
    aborting: string[];
  } {
    return {
      broadcast: this.broadcast.map(({ remaining, ...fault }) => ({ ...fault, times: remaining })),
      settle: this.settle.map(({ remaining, ...fault }) => ({ ...fault, times: remaining })),
      held: Object.fromEntries(this.held),
      aborting: [...this.aborting],
    };
  }

  private attach(
    txid: string,
    fault: Extract<Fault, { kind: 'hold-transaction' | 'abort-transaction' }>,
  ): void {
    if (fault.kind === 'hold-transaction') this.held.set(txid, fault.blocks);
    else this.aborting.add(txid);
  }
}

function takeFrom<T extends { remaining: number }>(queue: T[]): T | undefined {
  const fault = queue[0];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) queue.shift();
  return fault;
}

/** Transaction ids are stored as the node spells them: 64 lowercase hex digits, no `0x`. */
export function normalizeTxid(txid: string): string {
  return txid.toLowerCase().replace(/^0x/, '');
}

/** Checks an untrusted JSON body (from `POST /devnet/faults`); returns the fault or an error. */
export function parseFault(body: unknown): Fault | string {
  if (typeof body !== 'object' || body === null || !('kind' in body)) {
    return 'expected a JSON object with a "kind"';
  }
  const fault = body as Record<string, unknown>;
  const optionalNumber = (key: string) =>
    fault[key] === undefined || (typeof fault[key] === 'number' && fault[key] >= 0);
  const optionalTxid = fault.txid === undefined || isTxid(fault.txid);
  switch (fault.kind) {
    case 'reject-broadcast':
      return typeof fault.reason === 'string' && optionalNumber('times')
        ? (fault as Fault)
        : '"reject-broadcast" needs a string "reason"';
    case 'broadcast-http-error':
      return typeof fault.status === 'number' && fault.status >= 400 && fault.status <= 599
        ? (fault as Fault)
        : '"broadcast-http-error" needs a "status" between 400 and 599';
    case 'hang-broadcast':
      return optionalNumber('times') ? (fault as Fault) : '"times" must be a number';
    case 'delay-broadcast':
      return typeof fault.ms === 'number' && fault.ms >= 0
        ? (fault as Fault)
        : '"delay-broadcast" needs "ms"';
    case 'reject-settle':
      return typeof fault.errorReason === 'string' &&
        fault.errorReason !== '' &&
        optionalNumber('times')
        ? (fault as Fault)
        : '"reject-settle" needs a string "errorReason"';
    case 'hold-transaction':
      return typeof fault.blocks === 'number' && fault.blocks >= 1 && optionalTxid
        ? (fault as Fault)
        : '"hold-transaction" needs "blocks" >= 1 and an optional 64-hex "txid"';
    case 'abort-transaction':
      return optionalTxid ? (fault as Fault) : '"txid" must be 64 hex digits';
    case 'replace-transaction':
      return isTxid(fault.txid) ? (fault as Fault) : '"replace-transaction" needs a "txid"';
    default:
      return `unknown fault kind ${JSON.stringify(fault.kind)}`;
  }
}

function isTxid(value: unknown): value is string {
  return typeof value === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(value);
}
