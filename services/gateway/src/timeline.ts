/**
 * GET /orders/:id/timeline — the saga as one story: every event any service published about
 * the order, from each service's outbox, merged in time order with what caused each one.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import type { ServiceName } from './upstreams.ts';

interface PublishedEvent {
  service: string;
  id: string;
  type: string;
  time: string;
  causationId: string | null;
  data: unknown;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as T };
}

export function timelineRouter(upstreams: Record<ServiceName, string>): Router {
  const router = new Router();
  router.get('/orders/:id/timeline', async (ctx) => {
    const { id } = validate(z.object({ id: z.string().uuid('order ids are UUIDs') }), ctx.params, 'order id');
    const order = await getJson<{ status: string; cancellationReason: string | null }>(`${upstreams.order}/orders/${id}`).catch((error: unknown) => {
      throw new AppError('unavailable', 'the order service is unavailable', undefined, { cause: error });
    });
    if (order.status === 404) throw new AppError('not-found', `no order ${id}`);
    const answers = await Promise.all(
      (Object.entries(upstreams) as Array<[ServiceName, string]>).map(async ([service, url]) => {
        try {
          const { body } = await getJson<PublishedEvent[]>(`${url}/internal/events?subject=${id}`);
          return { service, events: body };
        } catch {
          return { service, events: null };
        }
      }),
    );
    const events = answers.flatMap((answer) => answer.events ?? []).sort((a, b) => a.time.localeCompare(b.time));
    const typeOf = new Map(events.map((event) => [event.id, event.type]));
    ctx.body = {
      orderId: id,
      status: order.body.status,
      cancellationReason: order.body.cancellationReason,
      incomplete: answers.filter((answer) => answer.events === null).map((answer) => answer.service),
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
  });
  return router;
}
