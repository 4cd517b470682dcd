/**
 * Idempotency keys with the semantics of the big payment APIs, for every POST that creates
 * something: the same key and request replay the stored first response (status and body,
 * `Idempotent-Replayed: true`); the same key with another request is a 422; a request while the
 * first with that key is still in flight is a 409; keys belong to the caller and expire after
 * 24 hours. The service's own database holds the records (a primary key on caller + key is the
 * backstop against two winners); Redis, when configured, answers replays without touching it.
 * Only successes are stored: a request that failed may be retried with its key (an outage must
 * not be replayed for a day).
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { AppError, isAppError } from '../errors.ts';
import { isDependencyOutage } from '../dependency-outage.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { validate } from './validate.ts';

export const IDEMPOTENCY_TTL_HOURS = 24;
/** A request that held its key this long without finishing is taken to have died with its process. */
const IN_FLIGHT_LOCK_MS = 60_000;

type Begin = { kind: 'new' } | { kind: 'replay'; status: number; body: string } | { kind: 'in-flight' } | { kind: 'mismatch' };

export interface IdempotencyStore {
  begin(scope: string, key: string, requestHash: string): Promise<Begin>;
  finish(scope: string, key: string, requestHash: string, status: number, body: string): Promise<void>;
  /** An answer the route already wrote in its own statement (`recordAnswerSql`): only a cache has anything left to keep. */
  remember(scope: string, key: string, requestHash: string, status: number, body: string): Promise<void>;
  abandon(scope: string, key: string): Promise<void>;
  /** Forgets records past the TTL, at most `limit` at a time; says how many. */
  prune(limit: number): Promise<number>;
}

export function sqlIdempotencyStore(db: SqlTransaction, ttlHours = IDEMPOTENCY_TTL_HOURS): IdempotencyStore {
  return {
    async begin(scope, key, requestHash) {
      const claim = () =>
        db.$executeRawUnsafe(
          `INSERT INTO idempotency_record (scope, key, request_hash, state, locked_until) VALUES ($1, $2, $3, 'IN_FLIGHT', now() + make_interval(secs => $4::double precision / 1000)) ON CONFLICT DO NOTHING`,
          scope,
          key,
          requestHash,
          IN_FLIGHT_LOCK_MS,
        );
      // A new key costs one statement; only a key seen before may be one past its TTL, forgotten here.
      if ((await claim()) === 1) return { kind: 'new' };
      const expired = await db.$executeRawUnsafe(`DELETE FROM idempotency_record WHERE scope = $1 AND key = $2 AND created_at < now() - make_interval(secs => $3::double precision * 3600)`, scope, key, ttlHours);
      if (expired === 1 && (await claim()) === 1) return { kind: 'new' };
      const [record] = await db.$queryRawUnsafe<{ request_hash: string; state: string; response_status: number | null; response_body: string | null; lock_expired: boolean }[]>(
        'SELECT request_hash, state, response_status, response_body, locked_until <= now() AS lock_expired FROM idempotency_record WHERE scope = $1 AND key = $2',
        scope,
        key,
      );
      if (!record) return { kind: 'in-flight' }; // abandoned between our two statements: the client retries
      if (record.request_hash !== requestHash) return { kind: 'mismatch' };
      if (record.state === 'DONE') return { kind: 'replay', status: record.response_status ?? 200, body: record.response_body ?? 'null' };
      if (!record.lock_expired) return { kind: 'in-flight' };
      const taken = await db.$executeRawUnsafe(
        `UPDATE idempotency_record SET locked_until = now() + make_interval(secs => $3::double precision / 1000) WHERE scope = $1 AND key = $2 AND state = 'IN_FLIGHT' AND locked_until <= now()`,
        scope,
        key,
        IN_FLIGHT_LOCK_MS,
      );
      return taken === 1 ? { kind: 'new' } : { kind: 'in-flight' };
    },
    async finish(scope, key, _requestHash, status, body) {
      const values: unknown[] = [];
      await db.$executeRawUnsafe(recordAnswerSql({ scope, key, status, body }, (value) => `$${values.push(value)}`), ...values);
    },
    remember: async () => undefined,
    async abandon(scope, key) {
      await db.$executeRawUnsafe(`DELETE FROM idempotency_record WHERE scope = $1 AND key = $2 AND state = 'IN_FLIGHT'`, scope, key);
    },
    async prune(limit) {
      return db.$executeRawUnsafe(
        `DELETE FROM idempotency_record WHERE ctid IN (SELECT ctid FROM idempotency_record WHERE created_at < now() - make_interval(secs => $1::double precision * 3600) LIMIT $2)`,
        ttlHours,
        limit,
      );
    },
  };
}

/**
 * The records' database being unreachable is an outage (503 with Retry-After), not a bug; any
 * other failure is a bug and stays one (a 500), never disguised as an outage.
 */
function asUnavailable(error: unknown): never {
  if (isAppError(error) || !isDependencyOutage(error)) throw error;
  throw new AppError('unavailable', 'idempotency records are unavailable; retry with the same key', undefined, { cause: error });
}

/**
 * What the middleware hands its route (`ctx.state.idempotencyRecord`). A route that writes its
 * answer in the same statement as its work (`recordAnswerSql`) sets `answered`: the work and its
 * answer then commit together, and the middleware's own finishing round trip is saved.
 */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  answered: boolean;
}

/** The record's answer as a data-modifying statement (for a route's own CTE), bound through `param`. */
export function recordAnswerSql(answer: { scope: string; key: string; status: number; body: string }, param: (value: unknown) => string): string {
  return `UPDATE idempotency_record SET state = 'DONE', response_status = ${param(answer.status)}::int, response_body = ${param(answer.body)} WHERE scope = ${param(answer.scope)} AND key = ${param(answer.key)}`;
}

const keySchema = z.string().trim().min(1, 'the Idempotency-Key header is required').max(255);

/**
 * Route middleware. `required` makes the header mandatory (orders); otherwise a POST without one
 * is simply not idempotent. The caller is the signed-in identity (or the calling service).
 */
export function idempotent(store: IdempotencyStore, options: { required: boolean }): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('idempotency-key');
    if (!header && !options.required) {
      await next();
      return;
    }
    const key = validate(keySchema, header, 'Idempotency-Key header');
    const identity = ctx.state.identity as { sub?: string } | null | undefined;
    const scope = identity?.sub ?? `service:${String(ctx.state.caller ?? 'anonymous')}`;
    const requestHash = createHash('sha256').update(`${ctx.method} ${ctx.path}\n`).update((ctx.state.rawBody as Buffer | undefined) ?? Buffer.alloc(0)).digest('hex');
    const begun = await store.begin(scope, key, requestHash).catch(asUnavailable);
    if (begun.kind === 'mismatch') throw new AppError('unprocessable', 'this Idempotency-Key was already used with a different request');
    if (begun.kind === 'in-flight') {
      ctx.set('retry-after', '1');
      throw new AppError('conflict', 'a request with this Idempotency-Key is still in progress; retry shortly');
    }
    if (begun.kind === 'replay') {
      ctx.status = begun.status;
      ctx.body = JSON.parse(begun.body) as unknown;
      ctx.set('idempotent-replayed', 'true');
      return;
    }
    const record: IdempotencyRecord = { scope, key, answered: false };
    ctx.state.idempotencyRecord = record;
    try {
      await next();
    } catch (error) {
      await store.abandon(scope, key).catch(() => undefined); // the lock's expiry frees it otherwise
      throw error;
    }
    // The work is done; if its record cannot be kept, the key's lock runs out and a retry replays nothing.
    if (ctx.status < 200 || ctx.status >= 300) await store.abandon(scope, key);
    else if (record.answered) await store.remember(scope, key, requestHash, ctx.status, JSON.stringify(ctx.body ?? null)).catch(asUnavailable);
    else await store.finish(scope, key, requestHash, ctx.status, JSON.stringify(ctx.body ?? null)).catch(asUnavailable);
  };
}
