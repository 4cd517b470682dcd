import type { PaymentContext } from './ports.ts';

/** Keeps how the customer will pay until stock is reserved. */
export async function recordPaymentIntent(context: PaymentContext, orderId: string, cardToken: string): Promise<void> {
  await context.store.saveIntent(orderId, cardToken);
}
