import { DurableObject } from 'cloudflare:workers';

// Placeholder: replaced by the real tracker in this change.
export class PaymentTracker extends DurableObject<Env> {}
