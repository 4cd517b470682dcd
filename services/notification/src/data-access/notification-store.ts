import type { NotificationStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

export function notificationStore(tx: Tx): NotificationStore {
  return {
    async insert(notification) {
      const inserted = await tx.$executeRawUnsafe(
        `INSERT INTO notification (id, order_id, template, recipient, subject, body, channel, status)
         VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id, template) DO NOTHING`,
        notification.id,
        notification.orderId,
        notification.template,
        notification.recipient,
        notification.subject,
        notification.body,
        notification.channel,
        notification.status,
      );
      return inserted === 1;
    },
  };
}
