/**
 * Sends due webhook deliveries outside any transaction: at most one in flight per endpoint and
 * `maxInFlight` in all, each bounded by the HTTP timeout, so a slow or dead endpoint delays only
 * its own deliveries. Every tick claims more without waiting for the ones still in flight.
 */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import { deliverWebhook, type WebhookDeliveryServices } from '../domain/deliver-webhook.ts';
import type { DueDelivery } from '../domain/webhook-ports.ts';

export interface SenderDependencies {
  services: WebhookDeliveryServices;
  claim(limit: number, leaseMs: number, busyEndpoints: readonly string[]): Promise<DueDelivery[]>;
  prune(): Promise<void>;
  intervalMs: number;
  /** Longer than one attempt can take (the HTTP timeout). */
  leaseMs: number;
  maxInFlight: number;
  logger: Logger;
}

export function startWebhookSender(deps: SenderDependencies): BackgroundJob[] {
  const busy = new Map<string, Promise<unknown>>();
  const sender = startPeriodicJob('webhook-sender', deps.intervalMs, async () => {
    const room = deps.maxInFlight - busy.size;
    if (room <= 0) return { more: false };
    for (const delivery of await deps.claim(room, deps.leaseMs, [...busy.keys()])) {
      const attempt = deliverWebhook(deps.services, delivery)
        .catch((error: unknown) => deps.logger.warn({ err: String(error), deliveryId: delivery.id }, 'webhook attempt failed to record; its lease hands it back'))
        .finally(() => busy.delete(delivery.endpointId));
      busy.set(delivery.endpointId, attempt);
    }
    return { more: false };
  }, deps.logger);
  const retention = startPeriodicJob('webhook-retention', 3600_000, async () => {
    await deps.prune();
    return { more: false };
  }, deps.logger);
  return [
    {
      async stop() {
        await sender.stop();
        await Promise.all(busy.values());
      },
    },
    retention,
  ];
}
