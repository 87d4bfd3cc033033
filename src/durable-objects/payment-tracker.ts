/**
 * One Durable Object per broadcast payment (id: the paymentId). It follows the transaction on its
 * alarms, with backoff, until it is terminal: its job is in durable storage and alarms survive
 * restarts. At the deadline it makes its last check, writes a terminal status and stops.
 *
 * Besides reading the chain it acts on two things the paid request cannot wait for:
 * - an unknown broadcast outcome (a node timeout or 5xx): it broadcasts the stored signed bytes
 *   again, a bounded number of times, so the payment lands without the caller's help;
 * - a delivered payment stuck behind a gap in its payer's nonces: after `NONCE_GAP_MAX_BLOCKS`
 *   blocks it is `failed` and its payer marked (it was served, and may never be mined);
 * - for a payment the Worker sponsored, the same gap rule on the sponsor's nonces, except that the
 *   gap is ours: the payment is `failed` with a `sponsor_nonce_gap:` reason, a delivered answer is
 *   recorded as the operator's loss, and the payer is not marked. Seeing such a gap, the tracker
 *   has the lease book give back lost sponsor nonces, so the next sponsored payment fills it; and
 *   a sponsored payment that ends lost gives its unused sponsor nonce back.
 */
import { DurableObject } from 'cloudflare:workers';
import { getServiceConfig, type ServiceConfig } from '../config';
import { parseHex } from '../encoding/hex';
import {
  getPayment,
  recordLateConfirmation,
  recordLateReplacement,
  releaseLostClaim,
  transition,
} from '../payment/ledger';
import { observeTxStatus } from '../payment/lifecycle';
import { nonceOrder } from '../payment/nonce-order';
import { returnLostSponsorNonce, sponsorGapOf, syncSponsorBook } from '../payment/sponsor-order';
import {
  type CheckResult,
  checkOnChain,
  settleLoss,
  sponsoredTxidUnknown,
  type TrackingJob,
} from '../payment/tracking';
import { NodeSettler } from '../stacks/node-settler';
import { type ChainReader, StacksApi } from '../stacks/stacks-api';

interface StoredJob extends TrackingJob {
  attempt: number;
  /** Broadcasts the tracker made itself (bounded by MAX_REBROADCASTS). */
  rebroadcasts?: number;
  /** The chain tip height when a gap below this payment's nonce was first seen. */
  gapSinceHeight?: number;
  /** Failed behind a nonce gap but still pending: watched until the deadline in case it is mined. */
  failedBehindGap?: boolean;
}

const FIRST_CHECK_MS = 1000;
const MAX_INTERVAL_MS = 30_000;
/** Broadcasts of the stored bytes while the outcome is unknown, on the alarms' back-off. */
export const MAX_REBROADCASTS = 6;

/** 1 s, 2 s, 4 s, ... capped at 30 s, and never past the deadline (the last check is at it). */
export function nextCheckAt(attempt: number, now: number, deadline: number): number {
  const interval = Math.min(FIRST_CHECK_MS * 2 ** attempt, MAX_INTERVAL_MS);
  return Math.max(now, Math.min(now + interval, deadline));
}

export class PaymentTracker extends DurableObject<Env> {
  /** Starts following a payment; calling it again for the same payment changes nothing. */
  async track(job: TrackingJob): Promise<void> {
    if (await this.ctx.storage.get<StoredJob>('job')) return;
    await this.ctx.storage.put('job', { ...job, attempt: 0 } satisfies StoredJob);
    await this.ctx.storage.setAlarm(Date.now() + FIRST_CHECK_MS);
  }

  /** The job being followed, if any (for tests and diagnostics). */
  async job(): Promise<StoredJob | null> {
    return (await this.ctx.storage.get<StoredJob>('job')) ?? null;
  }

  override async alarm(): Promise<void> {
    const job = await this.ctx.storage.get<StoredJob>('job');
    if (!job) return;
    const configResult = getServiceConfig(this.env);
    if (!configResult.ok) {
      // Nothing can be checked without a configuration; stop rather than poll forever.
      if (Date.now() >= job.deadline) await this.ctx.storage.deleteAll();
      else await this.schedule(job);
      return;
    }
    const config = configResult.config;
    const api = new StacksApi({
      baseUrl: config.stacksApiUrl,
      timeoutMs: config.stacksApiTimeoutMs,
    });
    if (job.failedBehindGap) {
      const next = await this.watchAfterGap(job, api, config);
      if (next) await this.schedule(next);
      else await this.ctx.storage.deleteAll();
      return;
    }
    const current = await this.withLedgerTxid(job);
    const result = await checkOnChain(this.env.DB, api, current, current.deadline);
    if (result?.terminal && result.status !== 'confirmed' && current.sponsor) {
      await returnLostSponsorNonce(this.env, config, api, current.sponsor);
    }
    const next = result && !result.terminal ? await this.act(current, result, api, config) : null;
    if (!next) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.schedule(next);
  }

  /** What the tracker does about a payment still open; null once it is terminal. */
  private async act(
    job: StoredJob,
    result: CheckResult,
    api: ChainReader,
    config: ServiceConfig,
  ): Promise<StoredJob | null> {
    if (result.status === 'broadcasting') return this.broadcastAgain(job, config, api);
    if (result.status !== 'mempool') return job;
    const nonces = await api.getNonces(job.payer);
    if (nonces.type !== 'found') return job;
    const order = nonceOrder(nonces, BigInt(job.nonce));
    let gap: { expected: bigint; whose: 'payer' | 'sponsor' } | undefined;
    if (order.type === 'gap') gap = { expected: order.expected, whose: 'payer' };
    else if (job.sponsor) {
      const sponsorGap = await sponsorGapOf(api, job.sponsor);
      if (sponsorGap.type === 'unknown') return job;
      if (sponsorGap.type === 'gap') {
        gap = { expected: sponsorGap.expected, whose: 'sponsor' };
        await syncSponsorBook(this.env, config, job.sponsor.sponsor, sponsorGap.nonces);
      }
    }
    if (!gap) {
      const { gapSinceHeight: _cleared, ...rest } = job;
      return rest;
    }
    const tip = await api.getTipHeight();
    if (tip.type !== 'found') return job;
    const since = job.gapSinceHeight ?? tip.height;
    if (tip.height - since < config.nonceGapMaxBlocks) return { ...job, gapSinceHeight: since };
    if (gap.whose === 'sponsor' && !(await this.delivered(job))) {
      // Nothing went out unpaid, and the gap is ours to fill (the next sponsored payment takes
      // the nonce the book was just given back): it is left to be mined, or to the deadline.
      return { ...job, gapSinceHeight: since };
    }
    // The transaction is still pending: its claim stays (its nonce may yet be spent by it), and
    // it is watched until the deadline in case the gap is filled and it is mined after all.
    const blocks = tip.height - since;
    await settleLoss(
      this.env.DB,
      api,
      job,
      'failed',
      gap.whose === 'payer'
        ? `not mined after ${blocks} blocks behind a gap in the payer's nonces (nonce ${gap.expected} is missing)`
        : `sponsor_nonce_gap: not mined after ${blocks} blocks behind a gap in our sponsor's nonces (sponsor nonce ${gap.expected} is missing); the operator's loss, not the payer's`,
      Date.now(),
      nonces,
      { keepClaim: true, operatorsFault: gap.whose === 'sponsor' },
    );
    return { ...job, failedBehindGap: true };
  }

  private async delivered(job: StoredJob): Promise<boolean> {
    return ((await getPayment(this.env.DB, job.paymentId))?.delivered_at ?? null) !== null;
  }

  /**
   * A payment a facilitator sponsored is judged by the facilitator's txid once a retry learnt it
   * (the ledger row holds it); until then by the payer's, with the rules of `checkOnChain`.
   */
  private async withLedgerTxid(job: StoredJob): Promise<StoredJob> {
    if (job.sponsoredBy !== 'facilitator' || !sponsoredTxidUnknown(job)) return job;
    const row = await getPayment(this.env.DB, job.paymentId);
    return row && row.txid !== job.txid ? { ...job, txid: row.txid } : job;
  }

  /** A payment failed behind a gap: record it if it is mined after all; stop at the deadline. */
  private async watchAfterGap(
    job: StoredJob,
    api: ChainReader,
    config: ServiceConfig,
  ): Promise<StoredJob | null> {
    const lookup = await api.getTransaction(job.txid);
    const dropped = async () => {
      if (job.sponsor) await returnLostSponsorNonce(this.env, config, api, job.sponsor);
      return null;
    };
    if (lookup.type === 'found') {
      const seen = observeTxStatus(lookup.txStatus, lookup.blockHeight);
      if (seen.status === 'confirmed') {
        await recordLateConfirmation(this.env.DB, job.paymentId, seen.blockHeight);
        return null;
      }
      if (seen.status === 'replaced') {
        // The ledger follows the chain here too: the nonce went to another transaction.
        await recordLateReplacement(this.env.DB, job.paymentId, seen.reason);
        return dropped();
      }
      if (seen.status !== 'mempool') return dropped();
    } else if (lookup.type === 'missing') {
      // Dropped: it can no longer spend the nonce, so the payer may use it again.
      await releaseLostClaim(this.env.DB, job.paymentId);
      return dropped();
    }
    return Date.now() >= job.deadline ? null : job;
  }

  /** The outcome of the broadcast is unknown and the chain has not seen it: send it again. */
  private async broadcastAgain(
    job: StoredJob,
    config: ServiceConfig,
    api: ChainReader,
  ): Promise<StoredJob | null> {
    const done = job.rebroadcasts ?? 0;
    // The bytes of a payment a facilitator sponsors lack the sponsor's part: only it can send them.
    if (job.sponsoredBy === 'facilitator') return job;
    const bytes = job.transaction === undefined ? undefined : parseHex(job.transaction);
    if (done >= MAX_REBROADCASTS || !bytes?.ok) return job;
    const settler = new NodeSettler({
      stacksApiUrl: config.stacksApiUrl,
      timeoutMs: config.broadcastTimeoutMs,
    });
    const outcome = await settler.broadcast(bytes.bytes, job.txid);
    const now = Date.now();
    if (outcome.type === 'settled') {
      await transition(
        this.env.DB,
        job.paymentId,
        'mempool',
        { reason: 'broadcast again by the tracker', settledAt: now },
        now,
      );
    } else if (outcome.type === 'rejected') {
      // A "no" may mean the first broadcast landed and was mined meanwhile (its nonce is spent):
      // the next check reads that. Otherwise nothing can be charged: free the claim.
      if ((await api.getTransaction(job.txid)).type !== 'missing') {
        return { ...job, rebroadcasts: done + 1 };
      }
      await transition(
        this.env.DB,
        job.paymentId,
        'failed',
        { reason: `${outcome.code}: ${outcome.detail}`, claimActive: false },
        now,
      );
      return null;
    }
    return { ...job, rebroadcasts: done + 1 };
  }

  private async schedule(job: StoredJob): Promise<void> {
    const attempt = job.attempt + 1;
    await this.ctx.storage.put('job', { ...job, attempt } satisfies StoredJob);
    await this.ctx.storage.setAlarm(nextCheckAt(attempt, Date.now(), job.deadline));
  }
}

/** Hands a broadcast payment to its tracker. */
export async function startTracking(env: Env, job: TrackingJob): Promise<void> {
  const tracker = env.PAYMENT_TRACKER.get(env.PAYMENT_TRACKER.idFromName(job.paymentId));
  await tracker.track(job);
}
