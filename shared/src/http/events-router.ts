/**
 * GET /internal/events?subject=<id>: the events this service published about one subject,
 * straight from its outbox. The gateway merges every service's answer into an order timeline.
 * GET /internal/audit: this service's audit trail, merged the same way for admins.
 * Both answer only other services (a call acting for a user is refused).
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { validate } from './validate.ts';
import { AppError } from '../errors.ts';
import { readAudit } from '../audit/audit-log.ts';

interface OutboxRow {
  envelope: string;
  published_at: Date | null;
}

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
  router.get('/internal/events', async (ctx) => {
    const { subject } = validate(z.object({ subject: z.string().min(1).max(200) }), ctx.query, 'query');
    const rows = await db.$queryRawUnsafe<OutboxRow[]>('SELECT envelope, published_at FROM outbox WHERE aggregate_id = $1 ORDER BY seq', subject);
    ctx.body = rows.map((row) => {
      const envelope = JSON.parse(row.envelope) as { id: string; type: string; time: string; causationid?: string; correlationid: string; data: unknown };
      return {
        service,
        id: envelope.id,
        type: envelope.type,
        time: envelope.time,
        causationId: envelope.causationid ?? null,
        correlationId: envelope.correlationid,
        publishedAt: row.published_at,
        data: redact(envelope.data),
      };
    });
  });
  return router;
}

/** Card tokens and e-mail addresses are never shown, even to internal readers of the timeline. */
const REDACTED = ['cardToken', 'customerEmail', 'customerEmailSealed'];
function redact(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, REDACTED.includes(key) && value !== null ? '[redacted]' : value]));
}
