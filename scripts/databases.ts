import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * Database per service: <prefix>_<service> on the server PG_URL (or DATABASE_URL) names.
 * The prefix (PG_DATABASE_PREFIX, default "platform") keeps the end-to-end tests' databases
 * apart from the ones `pnpm start` uses.
 */
export const PG_URL = process.env.PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** One short-lived connection (PG_URL unless told), closed whatever `work` does. */
export async function withPgClient<T>(work: (client: pg.Client) => Promise<T>, connectionString = PG_URL): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseUrlFor(service: string, prefix = process.env.PG_DATABASE_PREFIX ?? 'platform'): string {
  const url = new URL(PG_URL);
  url.pathname = `/${prefix}_${service}`;
  return url.toString();
}

/** Migrated once per test run; every end-to-end test file clones its databases from these. */
export const E2E_TEMPLATE_PREFIX = 'e2etpl';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

/** A fresh database of one service for one test file, cloned from the template `pnpm test` migrates. */
export async function cloneServiceDatabase(service: string): Promise<{ pool: pg.Pool; drop(): Promise<void> }> {
  const name = `${service}_test_${randomUUID().slice(0, 8)}`;
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_${service}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
  // pool.end() resolves before the server has seen every connection close: the DROP … WITH (FORCE)
  // after it can still terminate one, and that error, unheard, fails the file after its tests passed.
  pool.on('error', () => undefined);
  return {
    pool,
    async drop() {
      await pool.end();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
