/** A fresh order database per test file, cloned from the template `pnpm test` migrates. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { E2E_TEMPLATE_PREFIX, PG_URL } from '../../../../scripts/databases.ts';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

export async function createOrderDatabase(): Promise<{ pool: pg.Pool; drop(): Promise<void> }> {
  const name = `order_test_${randomUUID().slice(0, 8)}`;
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_order"`);
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
