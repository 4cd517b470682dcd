import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseUrlFor } from '../../../scripts/databases.ts';

/** What the retention sweep and Redis's expiry do to an order key's stored response a day later. */
export async function forgetStoredResponse(key: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrlFor('order', 'e2e') });
  await client.connect();
  try {
    await client.query('DELETE FROM idempotency_record WHERE key = $1', [key]);
  } finally {
    await client.end();
  }
  await forgetCachedResponse(key);
}

/** Redis's copy only (its expiry, or a flushed Redis): the database's record then answers replays. */
export async function forgetCachedResponse(key: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const cached = await redis.keys(`idem:order:*:${key}`);
    if (cached.length > 0) await redis.del(...cached);
  } finally {
    redis.disconnect();
  }
}
