/**
 * The console page's data, each read with the signed-in admin's identity (so every service
 * checks the admin itself, as for any API call): order search, an order's saga with its money and
 * its DLQ stops, every service's DLQ and replays, the last reconciliation report, the audit log.
 * What changes anything (a replay) needs the session's CSRF token; the caller passes that check.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { encodeIdentity } from '@platform/shared/http/identity';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { HttpResponse } from '@platform/shared/http/http-client';
import { validate } from '@platform/shared/http/validate';
import { fromEveryService, orderIdParam, orderTimeline } from '../timeline.ts';
import { SERVICE_NAMES, type ServiceName, type Upstreams } from '../upstreams.ts';
import type { ConsoleSession } from './console-sessions.ts';

export interface ConsoleApiOptions {
  upstreams: Upstreams;
  signedFetch: InternalFetch;
  requireSession(ctx: Context): Promise<ConsoleSession>;
  /** The session, once the request has shown its CSRF token and a same-site origin. */
  requireChange(ctx: Context): Promise<ConsoleSession>;
}

const SEARCH_BY = { customer: 'customerId', merchant: 'merchantId', idempotencyKey: 'idempotencyKey' } as const;
const searchQuery = z.object({ by: z.enum(['id', 'customer', 'merchant', 'idempotencyKey']), q: z.string().trim().min(1).max(255) });
const serviceParam = z.object({ service: z.enum(SERVICE_NAMES) });
const dlqFilter = z.object({ type: z.string().max(200).optional(), subject: z.string().max(200).optional(), since: z.string().datetime({ offset: true }).optional(), until: z.string().datetime({ offset: true }).optional() });

interface Applied {
  service: string;
  messageId: string;
  attempt: number;
  processedAt: string;
}

interface Answer {
  status: number;
  body: unknown;
}

/** One service call as the admin; a service that does not answer is a 503 for the page. */
async function ask(options: ConsoleApiOptions, session: ConsoleSession, service: ServiceName, path: string, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
  let response: HttpResponse;
  try {
    response = await options.signedFetch(`${options.upstreams[service]}${path}`, {
      method: init.method ?? 'GET',
      identity: encodeIdentity(session.identity),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new AppError('unavailable', `the ${service} service is unavailable`, undefined, { cause: error });
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new AppError('unavailable', `the ${service} service answered ${response.status}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  } catch (error) {
    // Services answer JSON; anything else is the upstream failing, not a bug of this page (no 500).
    throw new AppError('unavailable', `the ${service} service answered something unreadable`, undefined, { cause: error });
  }
}

/** A service's 4xx problem goes to the page as it came (its detail says what was wrong). */
function relay(ctx: Context, answer: Answer): void {
  ctx.status = answer.status;
  ctx.body = answer.body;
  if (answer.status >= 400) ctx.type = 'application/problem+json';
}

function query(fields: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(fields).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
}

export function registerConsoleApi(router: Router, options: ConsoleApiOptions): void {
  router.get('/api/orders', async (ctx) => {
    const session = await options.requireSession(ctx);
    const { by, q } = validate(searchQuery, ctx.query, 'search');
    if (by === 'id') {
      const { id } = validate(orderIdParam, { id: q }, 'order id');
      const answer = await ask(options, session, 'order', `/orders/${id}`);
      ctx.body = { orders: answer.status === 200 ? [answer.body] : [] };
      return;
    }
    relay(ctx, await ask(options, session, 'order', `/orders?${query({ [SEARCH_BY[by]]: q, limit: '50' })}`));
  });

  // The saga: every event, the ledger's transfers for the order, and where it stopped in a DLQ.
  router.get('/api/orders/:id/saga', async (ctx) => {
    const session = await options.requireSession(ctx);
    const { id } = validate(orderIdParam, ctx.params, 'order id');
    const timeline = await orderTimeline(options.upstreams, options.signedFetch, encodeIdentity(session.identity), id);
    const ids = timeline.events.slice(0, 200).map((event) => event.id);
    const [transfers, stops, applied] = await Promise.all([
      ask(options, session, 'ledger', `/ledger/entries?orderId=${id}`).then((answer) => (answer.status === 200 ? answer.body : []), () => null),
      dlqsOf(options, session, { subject: id }),
      ids.length > 0 ? fromEveryService<Applied>(options.signedFetch, options.upstreams, `/internal/applied?ids=${ids.join(',')}`) : { rows: [] },
    ]);
    // Who applied each event, and at which attempt (a retried step is one applied after the first).
    const appliedBy = new Map<string, Applied[]>();
    for (const row of applied.rows) appliedBy.set(row.messageId, [...(appliedBy.get(row.messageId) ?? []), row]);
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      ...timeline,
      events: timeline.events.map((event) => ({ ...event, appliedBy: (appliedBy.get(event.id) ?? []).map(({ service, attempt, processedAt }) => ({ service, attempt, processedAt })) })),
      transfers,
      dlqStops: stops.queues.flatMap((queue) => queue.messages.map((message) => ({ ...message, service: queue.service }))),
    };
  });

  router.get('/api/dlq', async (ctx) => {
    const session = await options.requireSession(ctx);
    ctx.set('cache-control', 'no-store');
    ctx.body = await dlqsOf(options, session, validate(dlqFilter, ctx.query, 'filter'));
  });

  router.post('/api/dlq/:service/replay', async (ctx) => {
    const session = await options.requireChange(ctx);
    const { service } = validate(serviceParam, ctx.params, 'service');
    relay(ctx, await ask(options, session, service, '/admin/dlq/replay', { method: 'POST', body: ctx.request.body }));
  });

  router.get('/api/reconciliation', async (ctx) => {
    const session = await options.requireSession(ctx);
    const answer = await ask(options, session, 'payment', '/admin/reconciliation/reports/latest');
    ctx.set('cache-control', 'no-store');
    if (answer.status === 404) ctx.body = { report: null };
    else relay(ctx, answer.status === 200 ? { status: 200, body: { report: answer.body } } : answer);
  });

  router.get('/api/audit', async (ctx) => {
    await options.requireSession(ctx);
    const { rows, incomplete } = await fromEveryService<{ at: string }>(options.signedFetch, options.upstreams, '/internal/audit?limit=200');
    ctx.set('cache-control', 'no-store');
    ctx.body = { incomplete, entries: rows.sort((a, b) => b.at.localeCompare(a.at)).slice(0, 200) };
  });
}

/** Every consuming service's DLQ (a service without a consumer has none and answers 404). */
async function dlqsOf(options: ConsoleApiOptions, session: ConsoleSession, filter: z.infer<typeof dlqFilter>) {
  const path = `/admin/dlq?${query({ ...filter, limit: '100' })}`;
  const answers = await Promise.all(SERVICE_NAMES.map(async (service) => ({ service, answer: await ask(options, session, service, path).catch(() => null) })));
  return {
    unavailable: answers.filter((entry) => entry.answer === null || (entry.answer.status !== 200 && entry.answer.status !== 404)).map((entry) => entry.service),
    queues: answers
      .filter((entry) => entry.answer?.status === 200)
      .map((entry) => ({ service: entry.service, ...(entry.answer!.body as { queue: string; depth: number; messages: Array<Record<string, unknown>> }) })),
  };
}
