import { Webhook } from 'standardwebhooks';
import type { WebhookPost } from '../domain/webhook-ports.ts';

/**
 * Posts a delivery signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, one `v1,…` per secret), with a timeout and without following redirects
 * (a redirect could point anywhere, past the URL guard).
 */
export function webhookHttp(timeoutMs: number): WebhookPost {
  return {
    async post(url, delivery, secrets) {
      const timestamp = new Date();
      const signature = secrets.map((secret) => new Webhook(secret).sign(delivery.id, timestamp, delivery.payload)).join(' ');
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', 'webhook-id': delivery.id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature },
        body: delivery.payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      return response.status;
    },
  };
}
