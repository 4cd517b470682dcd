import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { NotificationStore } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

export const RECIPIENT = 'notification.recipient';

// Raw SQL: every statement here runs for every notice (Prisma compiles each model query anew).
export function notificationStore(tx: SqlTransaction, cipher: FieldCipher): NotificationStore {
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
      const rows = await tx.$queryRawUnsafe<Array<{ recipient: string }>>(
        'SELECT recipient_encrypted AS recipient FROM notification WHERE order_id = $1::uuid AND recipient_encrypted IS NOT NULL ORDER BY created_at LIMIT 1',
        orderId,
      );
      return decryptNullable(cipher, rows[0]?.recipient ?? null, RECIPIENT);
    },
    async markSent(id) {
      const count = await tx.$executeRawUnsafe("UPDATE notification SET status = 'SENT', sent_at = now(), attempts = attempts + 1 WHERE id = $1::uuid AND status = 'PENDING'", id);
      return count === 1;
    },
  };
}
