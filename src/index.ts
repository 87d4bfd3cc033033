import { DurableObject } from 'cloudflare:workers';
export class PaymentTracker extends DurableObject {}
export default { fetch: () => new Response('ok') };
