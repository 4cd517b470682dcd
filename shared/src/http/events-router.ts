/**
 * GET /internal/events?subject=<id>: the events this service published about one subject,
 * straight from its outbox. The gateway merges every service's answer into an order timeline.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { validate } from './validate.ts';

interface OutboxRow {
  envelope: string;
  published_at: Date | null;
}

export function eventsRouter(service: string, db: SqlTransaction): Router {
  const router = new Router();
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

/** Card tokens are never shown, even to internal readers of the timeline. */
function redact(data: unknown): unknown {
  if (data && typeof data === 'object' && 'cardToken' in data) return { ...data, cardToken: '[redacted]' };
  return data;
}
