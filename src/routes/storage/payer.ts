/**
 * The caller of a storage route is the payer of its verified payment: its Stacks address (on the
 * payment's network) is the namespace of everything it stores.
 */
import type { Context } from 'hono';
import { type PayerStore, payerStore } from '../../durable-objects/payer-store';
import type { AppEnv } from '../../env';
import type { VerifiedPayment } from '../../payment/types';

export interface PayerIdentity {
  network: string;
  payer: string;
}

export function identityOf(payment: VerifiedPayment): PayerIdentity {
  return { network: payment.requirement.network, payer: payment.payer };
}

/** The payer of this paid request; a storage handler never runs without one. */
export function payerOf(c: Context<AppEnv>): PayerIdentity {
  const payment = c.get('payment');
  if (!payment) throw new Error('a storage route ran without a verified payment');
  return identityOf(payment);
}

/** The payer's own Durable Object. */
export function storeOf(c: Context<AppEnv>): DurableObjectStub<PayerStore> {
  const { network, payer } = payerOf(c);
  return payerStore(c.env, network, payer);
}
