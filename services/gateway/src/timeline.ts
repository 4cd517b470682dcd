/**
 * GET /orders/:id/timeline — the saga as one story: every event any service published about
 * the order, from each service's outbox, merged in time order with what caused each one. The
 * order service decides first whether the caller may see the order at all (else 404).
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import { validate } from '@platform/shared/http/validate';
import { SERVICE_NAMES, type ServiceName, type Upstreams } from './upstreams.ts';

interface PublishedEvent {
  service: string;
  id: string;
  type: string;
  time: string;
  causationId: string | null;
  data: unknown;
}

/** GET on every service's internal route, merged; services that do not answer are listed. */
export async function fromEveryService<T>(signedFetch: InternalFetch, upstreams: Upstreams, path: string): Promise<{ rows: T[]; incomplete: ServiceName[] }> {
  const answers = await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      try {
        const response = await signedFetch(`${upstreams[service]}${path}`, { signal: AbortSignal.timeout(5_000) });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`${service} answered ${response.status}`);
        }
        return { service, rows: (await response.json()) as T[] };
      } catch {
        return { service, rows: null };
      }
    }),
  );
  return { rows: answers.flatMap((answer) => answer.rows ?? []), incomplete: answers.filter((answer) => answer.rows === null).map((answer) => answer.service) };
}

export interface OrderTimeline {
  orderId: string;
  status: string;
  cancellationReason: string | null;
  incomplete: ServiceName[];
  events: Array<{ time: string; service: string; type: string; id: string; causationId: string | null; causedBy: string | null; data: unknown }>;
}

/** The order as `identity` may see it (else not-found) and every event about it, in time order. */
export async function orderTimeline(upstreams: Upstreams, signedFetch: InternalFetch, identity: string, id: string): Promise<OrderTimeline> {
  const order = await signedFetch(`${upstreams.order}/orders/${id}`, { identity, signal: AbortSignal.timeout(5_000) }).catch((error: unknown) => {
    throw new AppError('unavailable', 'the order service is unavailable', undefined, { cause: error });
  });
  if (order.status === 404) throw new AppError('not-found', `no order ${id}`);
  if (!order.ok) throw new AppError('unavailable', `the order service answered ${order.status}`);
  const { status, cancellationReason } = (await order.json()) as { status: string; cancellationReason: string | null };
  const { rows, incomplete } = await fromEveryService<PublishedEvent>(signedFetch, upstreams, `/internal/events?subject=${id}`);
  const events = rows.sort((a, b) => a.time.localeCompare(b.time));
  const typeOf = new Map(events.map((event) => [event.id, event.type]));
  return {
    orderId: id,
    status,
    cancellationReason,
    incomplete,
    events: events.map((event) => ({
      time: event.time,
      service: event.service,
      type: event.type,
      id: event.id,
      causationId: event.causationId,
      causedBy: event.causationId ? (typeOf.get(event.causationId) ?? null) : null,
      data: event.data,
    })),
  };
}

export const orderIdParam = z.object({ id: z.string().uuid('order ids are UUIDs') });

export async function timeline(ctx: Context, upstreams: Upstreams, signedFetch: InternalFetch, identity: string): Promise<void> {
  const { id } = validate(orderIdParam, { id: ctx.path.split('/')[2] }, 'order id');
  ctx.body = await orderTimeline(upstreams, signedFetch, identity, id);
}

/** GET /audit-log — every service's audit trail, newest first (admins only). */
export async function auditLog(ctx: Context, upstreams: Upstreams, signedFetch: InternalFetch): Promise<void> {
  const query = validate(z.object({ since: z.string().datetime({ offset: true }).optional(), limit: z.coerce.number().int().min(1).max(1_000).default(200) }), ctx.query, 'query');
  const search = new URLSearchParams({ limit: String(query.limit), ...(query.since ? { since: query.since } : {}) });
  const { rows, incomplete } = await fromEveryService<{ at: string }>(signedFetch, upstreams, `/internal/audit?${search.toString()}`);
  ctx.body = { incomplete, entries: rows.sort((a, b) => b.at.localeCompare(a.at)).slice(0, query.limit) };
}
