/**
 * One Durable Object per broadcast payment (id: the paymentId). It follows the transaction on its
 * alarms, with backoff, until it is terminal or its deadline passes: its job is in durable storage
 * and alarms survive restarts, and it never polls forever.
 */
import { DurableObject } from 'cloudflare:workers';
import { getServiceConfig } from '../config';
import { checkOnChain, type TrackingJob } from '../payment/tracking';
import { StacksApi } from '../stacks/stacks-api';

interface StoredJob extends TrackingJob {
  attempt: number;
}

const FIRST_CHECK_MS = 1000;
const MAX_INTERVAL_MS = 30_000;

/** 1 s, 2 s, 4 s, ... capped at 30 s, never past the deadline (plus a last look at it). */
export function nextCheckAt(attempt: number, now: number, deadline: number): number {
  const interval = Math.min(FIRST_CHECK_MS * 2 ** attempt, MAX_INTERVAL_MS);
  return Math.min(now + interval, Math.max(deadline, now + FIRST_CHECK_MS));
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
    const config = getServiceConfig(this.env);
    if (config.ok) {
      const api = new StacksApi({ baseUrl: config.config.stacksApiUrl });
      const result = await checkOnChain(this.env.DB, api, job, job.deadline);
      if (!result || result.terminal) {
        await this.ctx.storage.deleteAll();
        return;
      }
    } else if (Date.now() >= job.deadline) {
      // Nothing can be checked without a configuration; stop rather than poll forever.
      await this.ctx.storage.deleteAll();
      return;
    }
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
