/** Counters read before and after a load step: commits in the service databases, WAL flushes, messages published on the broker. */
import pg from 'pg';
import { databaseUrlFor, PG_URL } from '../../scripts/databases.ts';
import { SERVICES } from '../../scripts/platform.ts';
import { api } from '../../scripts/broker-setup.ts';
import { E2E_VHOST } from '../../test/e2e/support/test-platform.ts';

export async function commitsSoFar(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const names = SERVICES.map((service) => new URL(databaseUrlFor(service, 'e2e')).pathname.slice(1));
  const { rows } = await client.query<{ commits: string }>('SELECT sum(xact_commit)::bigint AS commits FROM pg_stat_database WHERE datname = ANY($1)', [names]);
  await client.end();
  return Number(rows[0]?.commits ?? 0);
}

/**
 * WAL flushes (fsync/fdatasync) of the whole PostgreSQL server so far: a synchronous commit
 * waits for one unless another commit's flush covered it (group commit). Cluster-wide, so the
 * bench's own connections and other databases count too; nothing else runs during a bench.
 */
export async function walFlushesSoFar(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const { rows } = await client.query<{ flushes: string }>('SELECT wal_sync::bigint AS flushes FROM pg_stat_wal');
  await client.end();
  return Number(rows[0]?.flushes ?? 0);
}

/** Messages published in the test vhost (the management API's counter; it lags a few seconds). */
export async function brokerMessagesSoFar(): Promise<number> {
  const response = await api('GET', `/vhosts/${encodeURIComponent(E2E_VHOST)}`);
  const vhost = (await response.json()) as { message_stats?: { publish?: number } };
  return vhost.message_stats?.publish ?? 0;
}
