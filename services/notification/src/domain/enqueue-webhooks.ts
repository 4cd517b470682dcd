import type { WebhookEventType, WebhookStore } from './webhook-ports.ts';

/**
 * Writes one delivery per subscribed endpoint of the merchant, in the handler's transaction (the
 * outbox of deliveries); nothing is sent here (the sender polls). The one-statement form writes
 * the same rows with the same SQL (`merchantDeliveriesChange`). Says how many were written.
 */
export async function enqueueMerchantEvent(store: Pick<WebhookStore, 'enqueueDeliveries'>, event: MerchantEvent): Promise<number> {
  if (!event.merchantId) return 0;
  return store.enqueueDeliveries({ merchantId: event.merchantId, type: event.type, payload: webhookPayload(event) });
}

export interface MerchantEvent {
  merchantId: string | null;
  type: WebhookEventType;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** The body every endpoint of the merchant receives for this event (signed per endpoint when sent). */
export function webhookPayload(event: MerchantEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}
