import { NotificationSent } from '@platform/shared/events/catalog';
import type { ClaimedNotice, DeliveryServices } from './ports.ts';

/** Retried for a day, as mail servers do, then given up and recorded FAILED. */
export const GIVE_UP_AFTER_MS = 24 * 3600 * 1000;

/** The same notice always goes out under the same Message-ID, so a resend is recognizably one. */
export const messageIdOf = (notificationId: string) => `<${notificationId}@notifications.platform.local>`;

export function nextAttemptAt(attempts: number, createdAt: Date, now: Date, random = Math.random): Date | null {
  if (now.getTime() - createdAt.getTime() >= GIVE_UP_AFTER_MS) return null;
  const base = Math.min(1_000 * 2 ** Math.min(attempts, 20), 3600_000);
  return new Date(now.getTime() + base * (0.8 + 0.4 * random()));
}

/**
 * Sends one notice outside any transaction and records it SENT in a new one (with its event).
 * At least once: a crash between the send and the record resends it after the lease, under the
 * same Message-ID — at most one duplicate per crash, never a lost notice.
 */
export async function deliverNotice(services: DeliveryServices, notice: ClaimedNotice): Promise<'sent' | 'retrying' | 'failed'> {
  try {
    await services.transport.send({ ...notice, messageId: messageIdOf(notice.id) });
  } catch (error) {
    const next = nextAttemptAt(notice.attempts + 1, notice.createdAt, services.now());
    await services.recordFailure(notice.id, error instanceof Error ? error.message.slice(0, 500) : String(error), next);
    return next ? 'retrying' : 'failed';
  }
  await services.transaction(async (context) => {
    if (await context.store.markSent(notice.id)) await context.publish([{ definition: NotificationSent, subject: notice.orderId, data: { orderId: notice.orderId, notificationId: notice.id, template: notice.template } }]);
  }, notice.cause);
  return 'sent';
}

/** The handler's after-commit step: delivers the notice it just stored, if no one else has. */
export async function deliverNoticeById(services: DeliveryServices, id: string): Promise<void> {
  const notice = await services.claim(id, services.leaseMs);
  if (notice) await deliverNotice(services, notice);
}
