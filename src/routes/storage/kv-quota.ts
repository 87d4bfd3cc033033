/**
 * The KV quota from the routes' side: a write's precheck (after the payment is verified, before
 * it is settled) reserves room in the payer's Durable Object, and a refusal is a 409
 * `quota_exceeded` that charges nothing.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { payerStore } from '../../durable-objects/payer-store';
import type { KvEntryWrite } from '../../durable-objects/payer-store/quota';
import type { AppEnv } from '../../env';
import type { VerifiedPayment } from '../../payment/types';
import { STORAGE_LIMITS } from '../../storage/limits';
import { identityOf } from './payer';

const usageSchema = z.object({ entries: z.number().int(), bytes: z.number().int() });

export const QuotaExceededSchema = z
  .object({
    code: z.literal('quota_exceeded'),
    message: z.string(),
    quota: z
      .enum(['entries', 'bytes'])
      .openapi({ description: 'The limit this write would pass.' }),
    usage: usageSchema.openapi({ description: 'What the payer keeps in KV now.' }),
    limits: usageSchema,
  })
  .openapi('QuotaExceeded', {
    example: {
      code: 'quota_exceeded',
      message:
        'This write would take your KV storage past 10485760 bytes (you use 10485000); delete something first (nothing was charged).',
      quota: 'bytes',
      usage: { entries: 12, bytes: 10_485_000 },
      limits: { entries: STORAGE_LIMITS.kvQuota.entries, bytes: STORAGE_LIMITS.kvQuota.bytes },
    },
  });

export const quotaResponse = {
  409: {
    description:
      'The payer’s KV quota (entries or bytes) would be exceeded (refused before settlement, never charged)',
    content: { 'application/json': { schema: QuotaExceededSchema } },
  },
};

/** Reserves room for the write in the payer's Durable Object; a refusal is the 409 to answer. */
export async function reserveOrRefuse(
  c: Context<AppEnv>,
  payment: VerifiedPayment,
  write: Omit<KvEntryWrite, 'reservation'>,
): Promise<Response | null> {
  const { network, payer } = identityOf(payment);
  const store = payerStore(c.env, network, payer);
  const outcome = await store.reserveKv({ ...write, reservation: payment.paymentId });
  if (outcome.type === 'reserved') return null;
  const { quota, usage, limits } = outcome;
  const message =
    quota === 'entries'
      ? `You keep ${usage.entries} KV entries and pastes, the most allowed is ${limits.entries}; delete one first (nothing was charged).`
      : `This write would take your KV storage past ${limits.bytes} bytes (you use ${usage.bytes}); delete something first (nothing was charged).`;
  return c.json({ code: 'quota_exceeded', message, quota, usage, limits }, 409);
}

/**
 * The validated input of a request, read by a precheck (which Hono types without the route's
 * schemas): the same object the handler gets from `c.req.valid`.
 */
export function validated<T>(c: Context<AppEnv>, target: 'json' | 'param' | 'query'): T {
  return (c.req as unknown as { valid(target: string): unknown }).valid(target) as T;
}

/** The id of this request's verified payment: the reservation its precheck made. */
export function paymentIdOf(c: Context<AppEnv>): string {
  const payment = c.get('payment');
  if (!payment) throw new Error('a storage write ran without a verified payment');
  return payment.paymentId;
}
