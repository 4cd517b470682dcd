/**
 * Reads that may go to a streaming replica (DATABASE_READ_URL), with read-your-writes for the
 * caller who just wrote. After a commit the service remembers the primary's WAL position for that
 * caller (in Redis when the service has it, so every instance knows; in process otherwise); the caller's reads go to the standby
 * only once it has replayed past it. Everything else keeps to the primary: a service's own calls
 * (it decides on what it reads), a caller whose mark cannot be read (Redis down), and everyone
 * while the standby is down or failing (it is tried again after a pause). A replica is only ever
 * an offload: losing it costs load on the primary, never an answer.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { describeError } from '../errors.ts';
import { isDependencyOutage } from '../dependency-outage.ts';
import { PgSql, servicePool } from './sql-transaction.ts';

/** Who is reading: a user's subject, `public` for anyone unnamed, or null for a service's own call (primary). */
export type Reader = string | null;

export interface ReadRouting {
  read<R>(reader: Reader, work: (db: SqlTransaction) => Promise<R>): Promise<R>;
  /** Called after `reader` committed a write: their next reads see it. */
  wrote(reader: string): Promise<void>;
  close(): Promise<void>;
}

export const primaryOnly = (primary: SqlTransaction): ReadRouting => ({ read: (_reader, work) => work(primary), wrote: async () => undefined, close: async () => undefined });

const MARK_TTL_MS = 60_000;
const MAX_LOCAL_MARKS = 10_000;
const PAUSE_AFTER_FAILURE_MS = 5_000;
/** Read on the primary until the mark expires: the write's position could not be learned. */
const ANYWHERE_PRIMARY = 'primary';

export function readRouting(options: { primary: SqlTransaction; replicaUrl: string; poolSize: number; redis?: Redis | undefined; logger: Logger }): ReadRouting {
  const { primary, redis, logger } = options;
  const pool = servicePool(options.replicaUrl, options.poolSize);
  const replica = new PgSql(pool);
  const local = new Map<string, { lsn: string; until: number }>();
  let pausedUntil = 0;

  const pause = (error: unknown) => {
    if (Date.now() >= pausedUntil) logger.warn({ err: describeError(error) }, 'read replica unavailable; reading the primary for a while');
    pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
  };
  /** The caller's last write position, null for none, ANYWHERE_PRIMARY when it cannot be known. */
  async function markOf(reader: string): Promise<string | null> {
    const mine = local.get(reader);
    const own = mine && mine.until > Date.now() ? mine.lsn : null;
    if (!redis) return own;
    // Shared by every instance: the caller's write may have been taken by another one (and this
    // instance's own mark stands in if Redis missed it).
    try {
      return (await redis.get(`read-after:${reader}`)) ?? own;
    } catch {
      return ANYWHERE_PRIMARY;
    }
  }
  async function onReplica(reader: Reader): Promise<boolean> {
    if (reader === null || Date.now() < pausedUntil) return false;
    const mark = await markOf(reader);
    if (mark === null) return true;
    if (mark === ANYWHERE_PRIMARY) return false;
    const rows = await replica.$queryRawUnsafe<Array<{ caught_up: boolean | null }>>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up', mark);
    return rows[0]?.caught_up === true; // null: not a standby at all
  }

  return {
    async read(reader, work) {
      let useReplica = false;
      try {
        useReplica = await onReplica(reader);
      } catch (error) {
        pause(error);
      }
      if (!useReplica) return work(primary);
      try {
        return await work(replica);
      } catch (error) {
        if (!isDependencyOutage(error)) throw error;
        pause(error);
        return work(primary);
      }
    },
    async wrote(reader) {
      const lsn = await Promise.resolve(primary.$queryRawUnsafe<Array<{ lsn: string }>>('SELECT pg_current_wal_lsn()::text AS lsn')).then(
        (rows) => rows[0]?.lsn ?? ANYWHERE_PRIMARY,
        () => ANYWHERE_PRIMARY,
      );
      if (local.size >= MAX_LOCAL_MARKS) local.delete(local.keys().next().value!);
      local.delete(reader);
      local.set(reader, { lsn, until: Date.now() + MARK_TTL_MS });
      await redis?.set(`read-after:${reader}`, lsn, 'PX', MARK_TTL_MS).catch(() => undefined);
    },
    close: () => pool.end(),
  };
}
