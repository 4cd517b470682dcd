import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { UrlGuard, WebhookEndpoint, WebhookEventType, WebhookStore } from './webhook-ports.ts';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. Shown once. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export async function registerEndpoint(store: WebhookStore, guard: UrlGuard, command: { merchantId: string; url: string; eventTypes: WebhookEventType[]; alertEmail?: string | undefined }) {
  const refused = await guard(command.url);
  if (refused) throw new AppError('validation', `invalid webhook endpoint: url: ${refused}`);
  if ((await store.endpointsOf(command.merchantId)).filter((endpoint) => endpoint.status === 'ACTIVE').length >= 10) throw new AppError('unprocessable', 'a merchant may have at most 10 active endpoints');
  const endpoint: WebhookEndpoint = { id: randomUUID(), merchantId: command.merchantId, url: command.url, eventTypes: [...new Set(command.eventTypes)], status: 'ACTIVE', disabledReason: null, alertEmail: command.alertEmail ?? null, createdAt: new Date() };
  const secret = newSecret();
  await store.insertEndpoint(endpoint, secret);
  return { ...endpoint, secret };
}

async function ownEndpoint(store: WebhookStore, merchantId: string, id: string) {
  const endpoint = await store.findEndpoint(id);
  if (!endpoint || endpoint.merchantId !== merchantId) throw new AppError('not-found', `no webhook endpoint ${id}`);
  return endpoint;
}

/** A new secret; the old one keeps signing (as a second signature) until the overlap ends. */
export async function rotateEndpointSecret(store: WebhookStore, merchantId: string, id: string, overlapSeconds: number, now: Date) {
  await ownEndpoint(store, merchantId, id);
  const secret = newSecret();
  await store.rotateSecret(id, secret, new Date(now.getTime() + overlapSeconds * 1000));
  return { id, secret };
}

export async function disableEndpoint(store: WebhookStore, merchantId: string, id: string): Promise<void> {
  await ownEndpoint(store, merchantId, id);
  await store.disableEndpoint(id, 'disabled by the merchant');
}

export async function resendDelivery(store: WebhookStore, merchantId: string, endpointId: string, deliveryId: string): Promise<void> {
  const endpoint = await ownEndpoint(store, merchantId, endpointId);
  if (endpoint.status !== 'ACTIVE') throw new AppError('conflict', 'the endpoint is disabled');
  if (!(await store.resend(deliveryId, endpointId))) throw new AppError('not-found', `no delivery ${deliveryId}`);
}
