import type { SqlTransaction } from './sql-client.ts';

export interface OutboxLag {
  /** Rows written but not yet published. */
  unpublished: number;
  /** Age of the oldest of them, in seconds (0 when none wait). */
  oldestSeconds: number;
}

/**
 * How far the relay is behind on one service database. Both come from the partial-order index
 * on (published_at, partition_key, seq): a count of the unsent rows and the oldest of them, cheap
 * enough to ask at every scrape.
 */
export async function outboxLag(sql: SqlTransaction): Promise<OutboxLag> {
  const [row] = await sql.$queryRawUnsafe<Array<{ unpublished: bigint | number; oldest: number | null }>>(
    'SELECT count(*) AS unpublished, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM outbox WHERE published_at IS NULL',
  );
  return { unpublished: Number(row?.unpublished ?? 0), oldestSeconds: Math.max(0, row?.oldest ?? 0) };
}
