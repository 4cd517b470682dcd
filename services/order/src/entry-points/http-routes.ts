import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import { MAX_ORDER_QUANTITY } from '@platform/shared/events/money';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import type { ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { orderStore } from '../data-access/order-store.ts';
import type { Order, ProductCatalog } from '../domain/ports.ts';
import { placeOrder } from '../domain/place-order.ts';

const placeOrderBody = z.object({
  productId: z.string().uuid('productId must be a product id (UUID)'),
  quantity: z.number().int().positive('quantity must be at least 1').max(MAX_ORDER_QUANTITY),
  paymentMethod: z.literal('CARD'),
  cardToken: z.string().min(1).max(200),
  customerEmail: z.string().email().max(320).optional(),
});
const idempotencyKey = z.string().trim().min(1, 'the Idempotency-Key header is required').max(255);
const idParam = z.object({ id: z.string().uuid('order ids are UUIDs') });

const orderView = (order: Order) => ({
  orderId: order.id,
  status: order.status,
  cancellationReason: order.cancellationReason,
  productId: order.productId,
  quantity: order.quantity,
  amountMinor: order.amountMinor === null ? null : Number(order.amountMinor),
  currency: order.currency,
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
});

export function orderRoutes(db: ServiceDatabase<Tx> & { client: Tx }, catalog: ProductCatalog): Router {
  const router = new Router();

  router.post('/orders', async (ctx) => {
    const key = validate(idempotencyKey, ctx.get('idempotency-key'), 'Idempotency-Key header');
    const body = validate(placeOrderBody, ctx.request.body, 'order');
    if (!(await catalog.exists(body.productId))) throw new AppError('unprocessable', `unknown product ${body.productId}`);
    const correlationId = ctx.state.correlationId as string;
    const { order, replayed } = await db.transaction((tx) =>
      placeOrder(
        { store: orderStore(tx), publish: outboxPublisher(tx, { source: '/services/order', correlationId }) },
        { idempotencyKey: key, productId: body.productId, quantity: body.quantity, cardToken: body.cardToken, customerEmail: body.customerEmail ?? null },
      ),
    );
    ctx.status = 202;
    ctx.set('location', `/orders/${order.id}`);
    if (replayed) ctx.set('idempotent-replayed', 'true');
    ctx.body = orderView(order);
  });

  router.get('/orders/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'order id');
    const order = await orderStore(db.client).findOrder(id); // a single read needs no transaction
    if (!order) throw new AppError('not-found', `no order ${id}`);
    ctx.body = orderView(order);
  });

  return router;
}
