/** Thin: validate, run the use case in a transaction, shape the answer. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { currencyCode, MAX_ORDER_QUANTITY, unitPriceMinor } from '@platform/shared/events/money';
import type { ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { inventoryStore } from '../data-access/inventory-store.ts';
import type { InventoryContext, Product, Reservation } from '../domain/ports.ts';
import { createProduct } from '../domain/create-product.ts';
import { reserveStock } from '../domain/reserve-stock.ts';
import { releaseReservation } from '../domain/release-reservation.ts';

const createProductBody = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  priceMinor: unitPriceMinor,
  currency: currencyCode,
  stock: z.number().int().nonnegative().max(1_000_000_000),
  holdSeconds: z.number().int().positive().max(86_400).optional(),
});
const reserveBody = z.object({ orderId: z.string().uuid(), productId: z.string().uuid(), quantity: z.number().int().positive().max(MAX_ORDER_QUANTITY) });
const releaseBody = z.object({ orderId: z.string().uuid() });
const idParam = z.object({ id: z.string().uuid('product ids are UUIDs') });

const productView = (product: Product) => ({ ...product, priceMinor: Number(product.priceMinor) });
const reservationView = (reservation: Reservation) => ({ ...reservation, expiresAt: reservation.expiresAt.toISOString() });

export function inventoryRoutes(db: ServiceDatabase<Tx> & { client: Tx }, defaultHoldSeconds: number): Router {
  const router = new Router();
  const inTransaction = <R>(correlationId: string, work: (context: InventoryContext) => Promise<R>) =>
    db.transaction((tx) =>
      work({
        store: inventoryStore(tx),
        publish: outboxPublisher(tx, { source: '/services/inventory', correlationId }),
        now: () => new Date(),
        defaultHoldSeconds,
      }),
    );

  router.post('/products', async (ctx) => {
    const body = validate(createProductBody, ctx.request.body, 'product');
    const product = await inTransaction(ctx.state.correlationId as string, (context) => createProduct(context, body));
    ctx.status = 201;
    ctx.set('location', `/products/${product.id}`);
    ctx.body = productView(product);
  });

  router.get('/products/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'product id');
    const product = await inventoryStore(db.client).findProduct(id); // a single read needs no transaction
    if (!product) throw new AppError('not-found', `no product ${id}`);
    ctx.body = productView(product);
  });

  router.post('/inventory/reserve', async (ctx) => {
    const body = validate(reserveBody, ctx.request.body, 'reservation');
    const result = await inTransaction(ctx.state.correlationId as string, (context) => reserveStock(context, { ...body, requestedBy: 'direct-api' }));
    if (result.outcome === 'failed') {
      throw new AppError(result.reason === 'unknown_product' ? 'not-found' : 'conflict', result.reason === 'unknown_product' ? `no product ${body.productId}` : 'not enough stock available');
    }
    ctx.status = 201;
    ctx.body = reservationView(result.reservation);
  });

  router.post('/inventory/release', async (ctx) => {
    const { orderId } = validate(releaseBody, ctx.request.body, 'release');
    const reservation = await inTransaction(ctx.state.correlationId as string, (context) => releaseReservation(context, orderId, 'released_by_request'));
    if (!reservation) throw new AppError('not-found', `no reservation for order ${orderId}`);
    ctx.body = reservationView(reservation);
  });

  return router;
}
