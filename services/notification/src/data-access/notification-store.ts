import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { NotificationStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

export const RECIPIENT = 'notification.recipient';

export function notificationStore(tx: Tx, cipher: FieldCipher): NotificationStore {
  return {
    async insert(notification) {
      const inserted = await tx.$executeRawUnsafe(
        `INSERT INTO notification (id, order_id, customer_id, template, reference, recipient_encrypted, subject, body, channel, status, cause_event_id, correlation_id)
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (order_id, template, reference) DO NOTHING`,
        notification.id,
        notification.orderId,
        notification.customerId,
        notification.template,
        notification.reference,
        encryptNullable(cipher, notification.recipient, RECIPIENT),
        notification.subject,
        notification.body,
        notification.channel,
        notification.status,
        notification.cause?.eventId ?? null,
        notification.cause?.correlationId ?? null,
      );
      return inserted === 1;
    },
    async recipientOf(orderId) {
      const row = await tx.notification.findFirst({ where: { orderId, recipient: { not: null } }, orderBy: { createdAt: 'asc' }, select: { recipient: true } });
      return decryptNullable(cipher, row?.recipient ?? null, RECIPIENT);
    },
    async markSent(id) {
      const { count } = await tx.notification.updateMany({ where: { id, status: 'PENDING' }, data: { status: 'SENT', sentAt: new Date(), attempts: { increment: 1 } } });
      return count === 1;
    },
  };
}
