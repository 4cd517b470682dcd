/** When a run has settled: every accepted order final, every queue drained. */
import pg from 'pg';
import { queueInfo } from '../../scripts/broker-setup.ts';
import { databaseUrlFor } from '../../scripts/databases.ts';
import { PLATFORM_QUEUES } from '../../shared/src/amqp/platform-topology.ts';
import { ownedQueueNames } from '../../shared/src/amqp/topology.ts';
import { E2E_VHOST } from '../e2e/support/test-platform.ts';

/** Milliseconds from `since` until every accepted order is final, or null if not within `limitMs`. */
export async function untilAllFinal(orderIds: readonly string[], since: number, limitMs: number): Promise<number | null> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const open = await openOrders(orderIds).catch(() => -1);
    if (open === 0) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

async function openOrders(orderIds: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrlFor('order', 'e2e') });
  await client.connect();
  try {
    const { rows } = await client.query<{ open: number }>("SELECT count(*)::int AS open FROM orders WHERE id = ANY($1::uuid[]) AND status NOT IN ('COMPLETED', 'CANCELLED')", [orderIds]);
    return rows[0]?.open ?? 0;
  } finally {
    await client.end();
  }
}

/** Messages parked in each consumer's database (waiting behind a retried one), as `parked:<service>`. */
async function parkedLeftOver(): Promise<Array<readonly [string, number]>> {
  return Promise.all(
    PLATFORM_QUEUES.map(async ({ queue }) => {
      const client = new pg.Client({ connectionString: databaseUrlFor(queue, 'e2e') });
      await client.connect();
      try {
        const { rows } = await client.query<{ parked: number }>('SELECT count(*)::int AS parked FROM parked_message');
        return [`parked:${queue}`, rows[0]?.parked ?? 0] as const;
      } finally {
        await client.end();
      }
    }),
  );
}

/**
 * Messages (ready or unacked) still in a service queue, its retry queues, its DLQ or
 * events.unrouted, or parked in a consumer's database, asked until all are empty or a minute has
 * passed (the broker's counts lag by a few seconds, and a retry may still be waiting out its delay).
 * A message parked for good is an aggregate whose later events never apply: lost in all but name.
 */
export async function queuesLeftOver(retryDelaysMs: readonly number[]): Promise<Record<string, number>> {
  const names = ['events.unrouted', ...PLATFORM_QUEUES.flatMap((queue) => ownedQueueNames(queue.queue, retryDelaysMs))];
  let left: Record<string, number> = {};
  for (let waited = 0; waited <= 60_000; waited += 2_000) {
    const counts = [...(await Promise.all(names.map(async (name) => [name, (await queueInfo(E2E_VHOST, name).catch(() => ({ messages: 0 }))).messages ?? 0] as const))), ...(await parkedLeftOver())];
    left = Object.fromEntries(counts.filter(([, messages]) => messages > 0));
    if (Object.keys(left).length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return left;
}
