import { randomBytes } from 'node:crypto';
import type { NewDelivery, WebhookEventType, WebhookStore } from './webhook-ports.ts';

/**
 * Writes one delivery per subscribed endpoint of the merchant, in the handler's transaction (the
 * outbox of deliveries); nothing is sent here. The delivery id is the `webhook-id` the merchant
 * sees on every attempt, so it can deduplicate. Returns the ids to send after the commit.
 */
export async function enqueueMerchantEvent(store: Pick<WebhookStore, 'activeEndpointsFor' | 'insertDeliveries'>, event: MerchantEvent): Promise<string[]> {
  const deliveries = await deliveriesFor(store, event);
  if (deliveries.length > 0) await store.insertDeliveries(deliveries);
  return deliveries.map((delivery) => delivery.id);
}

export interface MerchantEvent {
  merchantId: string | null;
  type: WebhookEventType;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** One delivery per endpoint of the merchant subscribed to the event, not yet written. */
export async function deliveriesFor(store: Pick<WebhookStore, 'activeEndpointsFor'>, event: MerchantEvent): Promise<NewDelivery[]> {
  if (!event.merchantId) return [];
  const endpoints = await store.activeEndpointsFor(event.merchantId, event.type);
  return endpoints.map((endpoint) => ({ id: `msg_${randomBytes(16).toString('base64url')}`, endpointId: endpoint.id, eventType: event.type, payload: webhookPayload(event) }));
}

/** The body every endpoint of the merchant receives for this event (signed per endpoint when sent). */
export function webhookPayload(event: MerchantEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}
