import { createApp } from './app';

export { PayerStore } from './durable-objects/payer-store';
export { PaymentTracker } from './durable-objects/payment-tracker';
export { SponsorNonces } from './durable-objects/sponsor-nonces';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
