import type { PaymentIntent, PaymentStore } from './ports.ts';

/** Keeps how the customer will pay (and who the order belongs to) until stock is reserved. */
export async function recordPaymentIntent(store: PaymentStore, intent: PaymentIntent): Promise<void> {
  await store.saveIntent(intent);
}
