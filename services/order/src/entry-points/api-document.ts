/** The order service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, type ApiOperations } from '@platform/shared/http/api-operations';
import { ORDER_STATUSES } from '../domain/order-status.ts';
import { idempotencyKey, idParam, listQuery, placeOrderBody } from './http-routes.ts';

export const orderSchema = z
  .object({
    orderId: z.string().uuid(),
    status: z.enum(ORDER_STATUSES),
    cancellationReason: z.string().nullable().meta({ description: 'Why the order was cancelled (out_of_stock, payment_failed, …); null otherwise.' }),
    productId: z.string().uuid(),
    quantity: z.number().int(),
    amountMinor: z.number().int().nullable().meta({ description: 'Integer minor units; null until the stock is reserved and priced.' }),
    currency: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Order' });

const timelineSchema = z
  .object({
    orderId: z.string().uuid(),
    status: z.string(),
    cancellationReason: z.string().nullable(),
    incomplete: z.array(z.string()).meta({ description: 'Services that did not answer; their events are missing.' }),
    events: z.array(
      z.object({ time: isoTime, service: z.string(), type: z.string(), id: z.string(), causationId: z.string().nullable(), causedBy: z.string().nullable(), data: z.unknown() }),
    ),
  })
  .meta({ id: 'OrderTimeline' });

export const orderOperations: ApiOperations = {
  'POST /orders': {
    summary: 'Place an order (the saga reserves stock, charges and completes or cancels it)',
    headers: z.object({ 'idempotency-key': idempotencyKey }),
    body: placeOrderBody,
    answers: { 202: { description: 'Accepted: follow `Location` (or the timeline) to the final state. A replay of the same key answers the same order with `Idempotent-Replayed: true`.', body: orderSchema } },
  },
  'GET /orders': {
    summary: "The caller's orders, newest first (a merchant's sales, an admin's all)",
    query: listQuery,
    answers: { 200: { description: 'A page of orders', body: z.object({ orders: z.array(orderSchema), nextBefore: isoTime.nullable() }) } },
  },
  'GET /orders/:id': { summary: 'One order', params: idParam, answers: { 200: { description: 'The order', body: orderSchema } } },
  'GET /orders/:id/timeline': {
    summary: "The order's saga: every event of every service, in time order, with its cause",
    params: idParam,
    answers: { 200: { description: 'The timeline', body: timelineSchema } },
  },
};
