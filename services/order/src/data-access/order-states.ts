import type { Tx } from './database.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

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
export async function overdueOrders(client: SqlTransaction, olderThan: Date, limit: number): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<Array<{ id: string }>>(
    "SELECT id FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND created_at < $1 ORDER BY created_at LIMIT $2",
    olderThan,
    limit,
  );
  return rows.map((row) => row.id);
}

export interface OrderWindowStats {
  minutes: number;
  byStatus: Record<string, number>;
  byCancellationReason: Record<string, number>;
  /** Orders that reached COMPLETED per second over the window. */
  completedPerSecond: number;
  /** p99 from placing to the final state, of the orders that ended in the window (ms). */
  p99Ms: number | null;
}

/** The console's order figures over the last `minutes` (the created_at index bounds the read). */
export async function orderStats(client: Tx, minutes: number): Promise<OrderWindowStats> {
  const since = new Date(Date.now() - minutes * 60_000);
  const groups = await client.$queryRawUnsafe<Array<{ status: string; reason: string | null; count: bigint }>>(
    'SELECT status, cancellation_reason AS reason, count(*) AS count FROM orders WHERE created_at >= $1 GROUP BY 1, 2',
    since,
  );
  const [ended] = await client.$queryRawUnsafe<Array<{ completed: bigint; p99: number | null }>>(
    `SELECT count(*) FILTER (WHERE status = 'COMPLETED') AS completed,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000) AS p99
       FROM orders WHERE created_at >= $1 AND status IN ('COMPLETED', 'CANCELLED')`,
    since,
  );
  const byStatus: Record<string, number> = {};
  const byCancellationReason: Record<string, number> = {};
  for (const group of groups) {
    byStatus[group.status] = (byStatus[group.status] ?? 0) + Number(group.count);
    if (group.reason) byCancellationReason[group.reason] = (byCancellationReason[group.reason] ?? 0) + Number(group.count);
  }
  return { minutes, byStatus, byCancellationReason, completedPerSecond: Number(ended?.completed ?? 0) / (minutes * 60), p99Ms: ended?.p99 === null || ended?.p99 === undefined ? null : Math.round(Number(ended.p99)) };
}
