import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { PrismaClient } from './generated/client.ts';
import { RECIPIENT } from './notification-store.ts';

/** An order's notices; only a given customer's when `customerId` is set. */
export async function notificationsForOrder(client: PrismaClient, cipher: FieldCipher, orderId: string, customerId?: string) {
  const rows = await client.notification.findMany({ where: { orderId, ...(customerId ? { customerId } : {}) }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ ...row, recipient: decryptNullable(cipher, row.recipient, RECIPIENT), createdAt: row.createdAt.toISOString() }));
}
