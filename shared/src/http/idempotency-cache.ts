/**
 * Redis in front of the idempotency records: a finished request's response is cached for the
 * keys' lifetime, so a replay is answered without a database round trip. The database stays the
 * truth and the backstop: anything Redis cannot answer (a miss, a slow or absent server — every
 * command is bounded by the client's timeout) goes to it, and in-flight detection is its alone.
 */
import type { Redis } from 'ioredis';
import { IDEMPOTENCY_TTL_HOURS, type IdempotencyStore } from './idempotency.ts';

interface Cached {
  hash: string;
  status: number;
  body: string;
}

export function cachedIdempotencyStore(store: IdempotencyStore, redis: Redis, namespace: string, ttlHours = IDEMPOTENCY_TTL_HOURS): IdempotencyStore {
  const keyOf = (scope: string, key: string) => `idem:${namespace}:${scope}:${key}`;
  const remember = async (scope: string, key: string, requestHash: string, status: number, body: string) => {
    const cached: Cached = { hash: requestHash, status, body };
    await redis.set(keyOf(scope, key), JSON.stringify(cached), 'EX', Math.max(1, Math.round(ttlHours * 3600))).catch(() => undefined);
  };
  return {
    async begin(scope, key, requestHash) {
      const text = await redis.get(keyOf(scope, key)).catch(() => null);
      if (text) {
        const cached = JSON.parse(text) as Cached;
        return cached.hash === requestHash ? { kind: 'replay', status: cached.status, body: cached.body } : { kind: 'mismatch' };
      }
      return store.begin(scope, key, requestHash);
    },
    async finish(scope, key, requestHash, status, body) {
      await store.finish(scope, key, requestHash, status, body);
      await remember(scope, key, requestHash, status, body);
    },
    remember,
    abandon: (scope, key) => store.abandon(scope, key),
    prune: (limit) => store.prune(limit),
  };
}

/** A Redis client that fails fast: a down or slow Redis must cost a request at most 100 ms. */
export async function fastFailingRedis(url: string, onError: (message: string) => void): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, { commandTimeout: 100, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1_000, lazyConnect: false });
  redis.on('error', (error: Error) => onError(error.message));
  return redis;
}
