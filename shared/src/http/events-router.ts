/**
 * GET /internal/events?subject=<id>: the events this service published about one subject, from
 * its outbox and, for those past the outbox's retention, from its event history (the timeline's
 * own record). The gateway merges every service's answer into an order timeline.
 * GET /internal/audit: this service's audit trail, merged the same way for admins.
 * GET /internal/applied?ids=: which of these events this service's consumer applied, when, and
 * at which attempt (more than 1: it was retried first); the console marks retried steps with it.
 * Both answer only other services (a call acting for a user is refused).
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { validate } from './validate.ts';
import { AppError } from '../errors.ts';
import { readAudit } from '../audit/audit-log.ts';
import { redactEventData } from '../outbox/retention.ts';

interface EventRow {
  id: string;
  type: string;
  time: Date;
  causation_id: string | null;
  correlation_id: string;
  published_at: Date | null;
  data: string;
}

/** Both sources in one shape; an event is in one or the other (moving is one statement). */
const EVENTS_OF_SUBJECT = `
  SELECT (envelope::jsonb->>'id') AS id, envelope::jsonb->>'type' AS type, (envelope::jsonb->>'time')::timestamptz AS time,
         envelope::jsonb->>'causationid' AS causation_id, envelope::jsonb->>'correlationid' AS correlation_id, published_at,
         (envelope::jsonb->'data')::text AS data, seq AS position
    FROM outbox WHERE aggregate_id = $1
  UNION ALL
  SELECT event_id::text, type, time, causation_id, correlation_id, published_at, data, NULL
    FROM event_history WHERE aggregate_id = $1
  ORDER BY time, position NULLS FIRST
  LIMIT 1000`;

export function eventsRouter(service: string, db: SqlTransaction): Router {
  const router = new Router();
  router.use('/internal', async (ctx, next) => {
    if (ctx.state.identity) throw new AppError('not-found', `no route for ${ctx.method} ${ctx.path}`);
    await next();
  });
  router.get('/internal/audit', async (ctx) => {
    const { since, limit } = validate(z.object({ since: z.string().datetime({ offset: true }).optional(), limit: z.coerce.number().int().min(1).max(1_000).default(200) }), ctx.query, 'query');
    ctx.body = (await readAudit(db, { since: since ? new Date(since) : undefined, limit })).map((row) => ({ service, ...row }));
  });
  router.get('/internal/applied', async (ctx) => {
    const { ids } = validate(z.object({ ids: z.string().min(1).max(20_000).transform((text) => text.split(',')).pipe(z.array(z.string().min(1).max(200)).max(200)) }), ctx.query, 'query');
    const rows = await db.$queryRawUnsafe<Array<{ consumer: string; message_id: string; attempt: number; processed_at: Date }>>(
      // The consumer is the service's queue, named after it: the primary key answers.
      'SELECT consumer, message_id, attempt, processed_at FROM inbox WHERE consumer = $1 AND message_id = ANY($2::text[])',
      service,
      ids,
    );
    ctx.body = rows.map((row) => ({ service, consumer: row.consumer, messageId: row.message_id, attempt: row.attempt, processedAt: row.processed_at.toISOString() }));
  });
  router.get('/internal/events', async (ctx) => {
    const { subject } = validate(z.object({ subject: z.string().min(1).max(200) }), ctx.query, 'query');
    const rows = await db.$queryRawUnsafe<EventRow[]>(EVENTS_OF_SUBJECT, subject);
    ctx.body = rows.map((row) => ({
      service,
      id: row.id,
      type: row.type,
      time: row.time.toISOString(),
      causationId: row.causation_id,
      correlationId: row.correlation_id,
      publishedAt: row.published_at,
      data: redactEventData(JSON.parse(row.data) as unknown),
    }));
  });
  return router;
}
