/** The database's own ceiling: commits/s of an UPDATE + outbox INSERT transaction over raw pg. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export async function outboxCommitRate(adminUrl: string, workers: number, durationMs: number): Promise<number> {
  const name = `bench_commit_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: workers });
  pool.on('error', () => undefined); // idle clients cut off by the DROP below
  try {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('CREATE TABLE outbox (seq bigserial PRIMARY KEY, event_id uuid NOT NULL, aggregate_id text NOT NULL, envelope text NOT NULL, published_at timestamptz)');
    await pool.query('INSERT INTO counter SELECT g, 0 FROM generate_series(1, 1000) g');
    let commits = 0;
    const deadline = performance.now() + durationMs;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const client = await pool.connect();
        try {
          while (performance.now() < deadline) {
            const id = 1 + Math.floor(Math.random() * 1000);
            await client.query('BEGIN');
            await client.query('UPDATE counter SET n = n + 1 WHERE id = $1', [id]);
            await client.query('INSERT INTO outbox (event_id, aggregate_id, envelope) VALUES ($1, $2, $3)', [randomUUID(), String(id), '{"x":1}'.padEnd(400, ' ')]);
            await client.query('COMMIT');
            commits += 1;
          }
        } finally {
          client.release();
        }
      }),
    );
    return commits / (durationMs / 1000);
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
