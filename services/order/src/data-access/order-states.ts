import type { Tx } from './database.ts';

/** One UTC day's orders (by creation), in id order from `after`: what reconciliation compares. */
export async function orderStatesOn(client: Tx, day: { from: Date; to: Date }, page: { after: string | null; limit: number }) {
  const rows = await client.order.findMany({
    where: { createdAt: { gte: day.from, lt: day.to }, ...(page.after ? { id: { gt: page.after } } : {}) },
    select: { id: true, status: true, updatedAt: true },
    orderBy: { id: 'asc' },
    take: page.limit,
  });
  return rows.map((row) => ({ orderId: row.id, status: row.status, updatedAt: row.updatedAt.toISOString() }));
}

/** Orders still open that were placed before `olderThan`, oldest first (a partial index serves it). */
export async function overdueOrders(client: Tx, olderThan: Date, limit: number): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<Array<{ id: string }>>(
    "SELECT id FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND created_at < $1 ORDER BY created_at LIMIT $2",
    olderThan,
    limit,
  );
  return rows.map((row) => row.id);
}
