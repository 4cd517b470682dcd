/**
 * For races between two transactions that take shared rows in opposite orders: each calls the
 * returned step after its first change, and goes on once the other has made its own, or is seen
 * waiting for a lock (then it cannot, and going on is what shows whether the two deadlock).
 */
import type pg from 'pg';
import { waitFor } from './wait.ts';

export function afterTheOtherOrItsLockWait(pool: pg.Pool): () => Promise<void> {
  let arrived = 0;
  const lockWaiters = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n);
  return async () => {
    arrived += 1;
    await waitFor('the other transaction to make its first change or wait for a lock', async () => arrived === 2 || (await lockWaiters()) > 0, 10_000, 10);
  };
}

export const DEADLOCK = '40P01';

/** How many of the settled transactions PostgreSQL failed as a deadlock's victim. */
export const deadlockVictims = (results: readonly PromiseSettledResult<unknown>[]) =>
  results.filter((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === DEADLOCK).length;
