/** Merchant webhooks (Standard Webhooks): what the use cases need from storage and the network. */

export const WEBHOOK_EVENT_TYPES = ['order.completed', 'order.cancelled', 'payment.succeeded', 'payment.failed', 'payment.refunded'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEndpoint {
  id: string;
  merchantId: string;
  url: string;
  eventTypes: WebhookEventType[];
  status: 'ACTIVE' | 'DISABLED';
  disabledReason: string | null;
  /** Told by e-mail when the platform gives the endpoint up (never shown back in full). */
  alertEmail: string | null;
  createdAt: Date;
}

/** The e-mail that tells a merchant its endpoint was given up. */
export interface EndpointAlert {
  subject: string;
  body: string;
}

/** Secrets in the clear, only for signing (stored encrypted). */
export interface EndpointSecrets {
  current: string;
  previous: string | null;
  previousUntil: Date | null;
}

export interface DueDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  payload: string;
  attempts: number;
  createdAt: Date;
  /** A merchant's resend: tried once, and its failure does not count against the endpoint. */
  manual: boolean;
}

/** A merchant event to deliver to each of its endpoints subscribed to the type. */
export interface MerchantDeliveries {
  merchantId: string;
  type: WebhookEventType;
  payload: string;
}

export interface WebhookStore {
  insertEndpoint(endpoint: WebhookEndpoint, secret: string): Promise<void>;
  endpointsOf(merchantId: string): Promise<WebhookEndpoint[]>;
  findEndpoint(id: string): Promise<(WebhookEndpoint & { secrets: EndpointSecrets }) | null>;
  rotateSecret(id: string, secret: string, previousUntil: Date): Promise<void>;
  /** ACTIVE → DISABLED; with an alert, the merchant's e-mail is stored in the same transaction (sent after it). */
  disableEndpoint(id: string, reason: string, alert?: EndpointAlert): Promise<void>;
  /** One PENDING delivery per active endpoint subscribed to the type; says how many. */
  enqueueDeliveries(event: MerchantDeliveries): Promise<number>;
  recordAttempt(delivery: DueDelivery, attempt: { statusCode: number | null; latencyMs: number; error: string | null }, outcome: { delivered: true } | { delivered: false; nextAttemptAt: Date | null }): Promise<void>;
  resend(deliveryId: string, endpointId: string): Promise<boolean>;
}

/** Why a URL may not receive webhooks (private, loopback, link-local, not https …), or null if it may. */
export type UrlGuard = (url: string) => Promise<string | null>;

export interface WebhookPost {
  /** Posts the signed payload; the status code, or throws on a network error or timeout. */
  post(url: string, delivery: { id: string; payload: string }, secrets: string[]): Promise<number>;
}
