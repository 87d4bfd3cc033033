/**
 * One Durable Object per broadcast payment (id: the paymentId). It follows the transaction on its
 * alarms, with backoff, until it is terminal: its job is in durable storage and alarms survive
 * restarts. At the deadline it makes its last check, writes a terminal status and stops.
 *
 * Besides reading the chain it acts on two things the paid request cannot wait for:
 * - an unknown broadcast outcome (a node timeout or 5xx): it broadcasts the stored signed bytes
 *   again, a bounded number of times, so the payment lands without the caller's help;
 * - a delivered payment stuck behind a gap in its payer's nonces: after `NONCE_GAP_MAX_BLOCKS`
 *   blocks it is `failed` and its payer marked (it was served, and may never be mined).
 */
import { DurableObject } from 'cloudflare:workers';
import { getServiceConfig, type ServiceConfig } from '../config';
import { parseHex } from '../encoding/hex';
import { recordLateConfirmation, releaseLostClaim, transition } from '../payment/ledger';
import { observeTxStatus } from '../payment/lifecycle';
import { nonceOrder } from '../payment/nonce-order';
import { type CheckResult, checkOnChain, settleLoss, type TrackingJob } from '../payment/tracking';
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
      const next = await this.watchAfterGap(job, api);
      if (next) await this.schedule(next);
      else await this.ctx.storage.deleteAll();
      return;
    }
    const result = await checkOnChain(this.env.DB, api, job, job.deadline);
    const next = result && !result.terminal ? await this.act(job, result, api, config) : null;
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
    if (order.type === 'minable') {
      const { gapSinceHeight: _cleared, ...rest } = job;
      return rest;
    }
    const tip = await api.getTipHeight();
    if (tip.type !== 'found') return job;
    const since = job.gapSinceHeight ?? tip.height;
    if (tip.height - since < config.nonceGapMaxBlocks) return { ...job, gapSinceHeight: since };
    // The transaction is still pending: its claim stays (its nonce may yet be spent by it), and
    // it is watched until the deadline in case the payer fills the gap and it is mined after all.
    await settleLoss(
      this.env.DB,
      api,
      job,
      'failed',
      `not mined after ${tip.height - since} blocks behind a gap in the payer's nonces (nonce ${order.expected} is missing)`,
      Date.now(),
      nonces,
      { keepClaim: true },
    );
    return { ...job, failedBehindGap: true };
  }

  /** A payment failed behind a gap: record it if it is mined after all; stop at the deadline. */
  private async watchAfterGap(job: StoredJob, api: ChainReader): Promise<StoredJob | null> {
    const lookup = await api.getTransaction(job.txid);
    if (lookup.type === 'found') {
      const seen = observeTxStatus(lookup.txStatus, lookup.blockHeight);
      if (seen.status === 'confirmed') {
        await recordLateConfirmation(this.env.DB, job.paymentId, seen.blockHeight);
        return null;
      }
      if (seen.status !== 'mempool') return null;
    } else if (lookup.type === 'missing') {
      // Dropped: it can no longer spend the nonce, so the payer may use it again.
      await releaseLostClaim(this.env.DB, job.paymentId);
      return null;
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
