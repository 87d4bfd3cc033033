/**
 * The public payment lifecycle (DESIGN section 5): `queued -> broadcasting -> mempool ->
 * confirmed | failed | replaced | not_found`. Transitions only move forward; the table below is
 * the one place that says which moves are allowed.
 */
export const PAYMENT_STATUSES = [
  'queued',
  'broadcasting',
  'mempool',
  'confirmed',
  'failed',
  'replaced',
  'not_found',
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'confirmed',
  'failed',
  'replaced',
  'not_found',
]);

/** Statuses a payment may move to each status from. */
export const PREDECESSORS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  queued: [],
  broadcasting: ['queued'],
  mempool: ['queued', 'broadcasting'],
  confirmed: ['queued', 'broadcasting', 'mempool'],
  failed: ['queued', 'broadcasting', 'mempool'],
  replaced: ['broadcasting', 'mempool'],
  not_found: ['broadcasting', 'mempool'],
};

export type ChainObservation =
  | { status: 'mempool' }
  | { status: 'confirmed'; blockHeight: number }
  | { status: 'failed' | 'replaced'; reason: string };

/**
 * Maps a Hiro Stacks API `tx_status` to our vocabulary. Unknown values are treated as still
 * pending rather than guessed at: the deadline ends the tracking if nothing else does.
 */
export function observeTxStatus(
  txStatus: string,
  blockHeight: number | undefined,
): ChainObservation {
  switch (txStatus) {
    case 'success':
      return { status: 'confirmed', blockHeight: blockHeight ?? 0 };
    case 'abort_by_response':
    case 'abort_by_post_condition':
      return { status: 'failed', reason: txStatus };
    case 'dropped_replace_by_fee':
    case 'dropped_replace_across_fork':
      return { status: 'replaced', reason: txStatus };
    case 'dropped_too_expensive':
    case 'dropped_stale_garbage_collect':
    case 'dropped_problematic':
      return { status: 'failed', reason: txStatus };
    default:
      return { status: 'mempool' };
  }
}
