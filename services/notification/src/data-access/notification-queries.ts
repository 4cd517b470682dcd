import type { PrismaClient } from './generated/client.ts';

export async function notificationsForOrder(client: PrismaClient, orderId: string) {
  const rows = await client.notification.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}
