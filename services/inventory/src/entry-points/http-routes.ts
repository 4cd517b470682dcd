/** Thin: validate, run the use case in a transaction, shape the answer. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import { actorOf, requireRole, type Identity } from '@platform/shared/http/identity';
import type { ReadRouting } from '@platform/shared/service/read-replica';
import { recordAudit } from '@platform/shared/audit/audit-log';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { currencyCode, MAX_ORDER_QUANTITY, unitPriceMinor } from '@platform/shared/events/money';
import type { ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { inventoryStore } from '../data-access/inventory-store.ts';
import type { InventoryContext, Product, Reservation } from '../domain/ports.ts';
import { createProduct } from '../domain/create-product.ts';
import { reserveStock } from '../domain/reserve-stock.ts';
import { releaseReservation } from '../domain/release-reservation.ts';

export const createProductBody = z.object({
  /** Admins name the merchant; a merchant's own products are always its own. */
  merchantId: z.string().uuid().optional(),
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  priceMinor: unitPriceMinor,
  currency: currencyCode,
  stock: z.number().int().nonnegative().max(1_000_000_000),
  holdSeconds: z.number().int().positive().max(86_400).optional(),
});
export const reserveBody = z.object({ orderId: z.string().uuid(), productId: z.string().uuid(), quantity: z.number().int().positive().max(MAX_ORDER_QUANTITY) });
export const releaseBody = z.object({ orderId: z.string().uuid() });
export const idParam = z.object({ id: z.string().uuid('product ids are UUIDs') });

const productView = (product: Product) => ({ ...product, priceMinor: Number(product.priceMinor) });
const reservationView = (reservation: Reservation) => ({ ...reservation, expiresAt: reservation.expiresAt.toISOString() });

export function inventoryRoutes(db: ServiceDatabase<Tx> & { client: Tx }, reads: ReadRouting, defaultHoldSeconds: number): Router {
  const router = new Router();
  const inTransaction = <R>(correlationId: string, work: (context: InventoryContext) => Promise<R>) =>
    db.sql((tx) =>
      work({
        store: inventoryStore(tx),
        audit: (entry) => recordAudit(tx, entry),
        publish: outboxPublisher(tx, { source: '/services/inventory', correlationId }),
        now: () => new Date(),
        defaultHoldSeconds,
      }),
    );

  router.post('/products', async (ctx) => {
    const caller = requireRole(ctx.state, 'merchant', 'admin');
    const body = validate(createProductBody, ctx.request.body, 'product');
    const merchantId = caller.role === 'merchant' ? caller.merchantId : (body.merchantId ?? null);
    if (!merchantId) throw new AppError('validation', caller.role === 'admin' ? 'invalid product: merchantId: an admin must name the merchant' : 'this merchant login has no merchant');
    const product = await inTransaction(ctx.state.correlationId as string, (context) => createProduct(context, { ...body, merchantId, actor: actorOf(caller) }));
    await reads.wrote(caller.sub);
    ctx.status = 201;
    ctx.set('location', `/products/${product.id}`);
    ctx.body = productView(product);
  });

  router.get('/products/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'product id');
    // A service's own call (the order service pricing an order) reads the primary; a person, or
    // anyone through the gateway, may read the replica.
    const identity = (ctx.state.identity as Identity | null) ?? null;
    const reader = identity ? identity.sub : ctx.state.caller === 'gateway' ? 'public' : null;
    const product = await reads.read(reader, (from) => inventoryStore(from).findProduct(id)); // a single read needs no transaction
    if (!product) throw new AppError('not-found', `no product ${id}`);
    ctx.body = productView(product);
  });

  router.post('/inventory/reserve', async (ctx) => {
    const caller = requireRole(ctx.state, 'admin', 'internal');
    const body = validate(reserveBody, ctx.request.body, 'reservation');
    const result = await inTransaction(ctx.state.correlationId as string, async (context) => {
      const reserved = await reserveStock(context, { ...body, requestedBy: 'direct-api' });
      await context.audit?.({ actor: actorOf(caller), action: 'reservation.direct_reserve', target: `order:${body.orderId}`, outcome: reserved.outcome === 'reserved' ? 'success' : 'failure', details: { productId: body.productId, quantity: body.quantity } });
      return reserved;
    });
    if (result.outcome === 'failed') {
      throw new AppError(result.reason === 'unknown_product' ? 'not-found' : 'conflict', result.reason === 'unknown_product' ? `no product ${body.productId}` : 'not enough stock available');
    }
    ctx.status = 201;
    ctx.body = reservationView(result.reservation);
  });

  router.post('/inventory/release', async (ctx) => {
    const caller = requireRole(ctx.state, 'admin', 'internal');
    const { orderId } = validate(releaseBody, ctx.request.body, 'release');
    const reservation = await inTransaction(ctx.state.correlationId as string, async (context) => {
      const released = await releaseReservation(context, orderId, 'released_by_request');
      await context.audit?.({ actor: actorOf(caller), action: 'reservation.direct_release', target: `order:${orderId}`, outcome: released ? 'success' : 'failure' });
      return released;
    });
    if (!reservation) throw new AppError('not-found', `no reservation for order ${orderId}`);
    ctx.body = reservationView(reservation);
  });

  return router;
}
