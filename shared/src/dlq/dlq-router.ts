/**
 * GET /admin/dlq and POST /admin/dlq/replay: this service's DLQ for an admin (the console, through
 * the gateway's signed call carrying the admin's identity). Browsing gives every message back;
 * replaying runs the same code as `pnpm dlq:replay`. A replay is written to the audit log twice,
 * as asked before the broker is touched and as done after, naming the admin both times, so even a
 * crash in between leaves a trace of who started it.
 */
import Router from '@koa/router';
import type { ChannelModel } from 'amqplib';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import { actorOf, requireRole } from '../http/identity.ts';
import { validate } from '../http/validate.ts';
import type { Logger } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { browseDlq } from './browse.ts';
import { replayDlq, type ReplayFilter } from './replay.ts';

export interface DlqRouterOptions {
  queue: string;
  connection: Pick<ChannelModel, 'createChannel' | 'createConfirmChannel'>;
  db: SqlTransaction & { sql<R>(work: (tx: SqlTransaction) => Promise<R>): Promise<R> };
  logger: Logger;
}

const filterFields = {
  type: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(200).optional(),
  since: z.string().datetime({ offset: true }).optional(),
  until: z.string().datetime({ offset: true }).optional(),
};
export const dlqQuery = z.object({ ...filterFields, limit: z.coerce.number().int().min(1).max(200).default(50) });
export const replayBody = z
  .object({
    ...filterFields,
    messageIds: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
    /** Replaying a whole DLQ must be asked for by name, never by an empty filter. */
    all: z.boolean().default(false),
    dryRun: z.boolean(),
  })
  .strict()
  .refine((body) => body.all || body.messageIds || body.type || body.subject || body.since || body.until, 'name the messages: messageIds, a filter, or all: true');

function toFilter(fields: { type?: string | undefined; subject?: string | undefined; since?: string | undefined; until?: string | undefined; messageIds?: string[] | undefined }): ReplayFilter {
  return {
    ...(fields.messageIds ? { messageIds: fields.messageIds } : {}),
    ...(fields.type ? { eventType: fields.type } : {}),
    ...(fields.subject ? { subject: fields.subject } : {}),
    ...(fields.since ? { failedAfter: new Date(fields.since) } : {}),
    ...(fields.until ? { failedBefore: new Date(fields.until) } : {}),
  };
}

/** The broker answering is this route's dependency: its outage is a 503, not a 500. */
async function fromBroker<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new AppError('unavailable', 'the broker is unavailable; try again shortly', undefined, { cause: error });
  }
}

export function dlqRouter(options: DlqRouterOptions): Router {
  const router = new Router();
  router.get('/admin/dlq', async (ctx) => {
    requireRole(ctx.state, 'admin');
    const query = validate(dlqQuery, ctx.query, 'query');
    ctx.set('cache-control', 'no-store');
    ctx.body = await fromBroker(() => browseDlq(options.connection, options.queue, toFilter(query), query.limit));
  });

  router.post('/admin/dlq/replay', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const body = validate(replayBody, ctx.request.body, 'replay');
    const filter = toFilter(body);
    const audit = { actor: actorOf(admin), target: options.queue };
    if (!body.dryRun) await options.db.sql((tx) => recordAudit(tx, { ...audit, action: 'dlq.replay.requested', outcome: 'success', details: { all: body.all, ...filter } }));
    const report = await fromBroker(() => replayDlq(options.connection, { queue: options.queue, filter, dryRun: body.dryRun, logger: options.logger }));
    const replayedIds = report.entries.filter((entry) => entry.action === 'replayed').map((entry) => entry.messageId ?? null);
    if (!body.dryRun) await options.db.sql((tx) => recordAudit(tx, { ...audit, action: 'dlq.replay', outcome: 'success', details: { replayed: report.replayed, messageIds: replayedIds.slice(0, 500) } }));
    ctx.body = { queue: options.queue, dryRun: body.dryRun, examined: report.examined, matched: report.matched, replayed: report.replayed, entries: report.entries.filter((entry) => entry.action !== 'kept') };
  });
  return router;
}
