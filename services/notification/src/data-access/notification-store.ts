import { encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { NotificationStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

export const RECIPIENT = 'notification.recipient';

export function notificationStore(tx: Tx, cipher: FieldCipher): NotificationStore {
  return {
    async insert(notification) {
      const inserted = await tx.$executeRawUnsafe(
        `INSERT INTO notification (id, order_id, customer_id, template, recipient_encrypted, subject, body, channel, status)
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_id, template) DO NOTHING`,
        notification.id,
        notification.orderId,
        notification.customerId,
        notification.template,
        encryptNullable(cipher, notification.recipient, RECIPIENT),
        notification.subject,
        notification.body,
        notification.channel,
        notification.status,
      );
      return inserted === 1;
    },
  };
}
