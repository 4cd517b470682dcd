import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { NotificationStore, StoredNotification } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

export const RECIPIENT = 'notification.recipient';

/** The notice's INSERT (once per order, template and reference), bound through `param`; only when `gate` holds, if given. */
function noticeInsert(notification: StoredNotification, cipher: FieldCipher, param: (value: unknown) => string, gate = 'true'): string {
  const values = [
    `${param(notification.id)}::uuid`,
    `${param(notification.orderId)}::uuid`,
    `${param(notification.customerId)}::uuid`,
    param(notification.template),
    param(notification.reference),
    param(encryptNullable(cipher, notification.recipient, RECIPIENT)),
    param(notification.subject),
    param(notification.body),
    param(notification.channel),
    param(notification.status),
    param(notification.cause?.eventId ?? null),
    param(notification.cause?.correlationId ?? null),
  ];
  return `INSERT INTO notification (id, order_id, customer_id, template, reference, recipient_encrypted, subject, body, channel, status, cause_event_id, correlation_id)
    SELECT ${values.join(', ')} WHERE ${gate} ON CONFLICT (order_id, template, reference) DO NOTHING`;
}

/** The notice's INSERT as the change of a one-statement apply: it returns a row only if the notice is new. */
export function noticeInsertChange(notification: StoredNotification, cipher: FieldCipher, param: (value: unknown) => string, admitted: string): string {
  return `${noticeInsert(notification, cipher, param, admitted)} RETURNING 1`;
}

// Raw SQL: every statement here runs for every notice (Prisma compiles each model query anew).
export function notificationStore(tx: SqlTransaction, cipher: FieldCipher): NotificationStore {
  return {
    async insert(notification) {
      const values: unknown[] = [];
      const inserted = await tx.$executeRawUnsafe(noticeInsert(notification, cipher, (value) => `$${values.push(value)}`), ...values);
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
