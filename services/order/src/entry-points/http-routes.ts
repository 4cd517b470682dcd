import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { requireIdentity, requireRole, type Identity } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import { MAX_ORDER_QUANTITY } from '@platform/shared/events/money';
import { isSavedCardToken, sealPaymentChoice } from '@platform/shared/events/payment-choice';
import { envelopesOf } from '@platform/shared/outbox/write-events';
import type { ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { listOrders, orderStore } from '../data-access/order-store.ts';
import type { OrderSnapshot, OrderStatusCache } from '../data-access/order-status-cache.ts';
import type { PaymentChoice, PaymentIntents, ProductCatalog } from '../domain/ports.ts';
import { idempotent, type IdempotencyRecord, type IdempotencyStore } from '@platform/shared/http/idempotency';
import type { ReadRouting } from '@platform/shared/service/read-replica';
import { placeOrder } from '../domain/place-order.ts';
import { canSeeOrder, listingScope } from '../domain/order-access.ts';

const orderFields = {
  productId: z.string().uuid('productId must be a product id (UUID)'),
  quantity: z.number().int().positive('quantity must be at least 1').max(MAX_ORDER_QUANTITY),
  customerEmail: z.string().email().max(320).optional(),
};
export const placeOrderBody = z.discriminatedUnion('paymentMethod', [
  z.object({ ...orderFields, paymentMethod: z.literal('CARD'), cardToken: z.string().min(1).max(200) }),
  z.object({ ...orderFields, paymentMethod: z.literal('UPI'), upiVpa: z.string().regex(/^[a-zA-Z0-9._-]{2,64}@[a-zA-Z]{2,32}$/, 'upiVpa must look like name@bank') }),
  z.object({ ...orderFields, paymentMethod: z.literal('WALLET') }),
]);
export const idempotencyKey = z.string().trim().min(1, 'the Idempotency-Key header is required').max(255);
export const idParam = z.object({ id: z.string().uuid('order ids are UUIDs') });
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().datetime({ offset: true }).optional(),
  // An admin's search (the console's); other callers' listings are already scoped to them.
  customerId: z.string().uuid('customerId is a UUID').optional(),
  merchantId: z.string().uuid('merchantId is a UUID').optional(),
  idempotencyKey: z.string().trim().min(1).max(255).optional(),
});

const orderView = (order: OrderSnapshot) => ({
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

interface OrderDependencies {
  db: ServiceDatabase<Tx> & { client: Tx };
  /** Status reads: a replica when there is one, the primary for a customer's just-placed order. */
  reads: ReadRouting;
  cipher: FieldCipher;
  /** The keyring shared with the payment service alone: the payment choice is sealed under it. */
  choices: FieldCipher;
  catalog: ProductCatalog;
  intents: PaymentIntents;
  idempotency: IdempotencyStore;
  /** Customers' status reads, from Redis when it has them (see order-status-cache.ts). */
  statusCache: OrderStatusCache;
}

export function orderRoutes({ db, reads, cipher, choices, catalog, intents, idempotency, statusCache }: OrderDependencies): Router {
  const router = new Router();

  // The stored first response answers a retry; the order's own key row below stays the backstop.
  router.post('/orders', idempotent(idempotency, { required: true }), async (ctx) => {
    const customer = requireRole(ctx.state, 'customer');
    // Keys are the customer's own: another customer's identical key is another request.
    const key = `${customer.sub}:${validate(idempotencyKey, ctx.get('idempotency-key'), 'Idempotency-Key header')}`;
    const body = validate(placeOrderBody, ctx.request.body, 'order');
    const product = await catalog.find(body.productId);
    if (!product) throw new AppError('unprocessable', `unknown product ${body.productId}`);
    const payment: PaymentChoice = body.paymentMethod === 'CARD' ? { method: 'CARD', cardToken: body.cardToken } : body.paymentMethod === 'UPI' ? { method: 'UPI', upiVpa: body.upiVpa } : { method: 'WALLET' };
    const command = { idempotencyKey: key, customerId: customer.sub, merchantId: product.merchantId, productId: body.productId, quantity: body.quantity, payment, customerEmail: body.customerEmail ?? null };
    const orderId = randomUUID();
    // How the customer pays travels sealed in order.placed, for the payment service alone. A
    // saved card is also checked (and filed) with payment first, because only its vault knows
    // whose card it is: a network call before our statement, never inside one. The key is not
    // looked up first: a replay is answered by the stored response above, and the key's row
    // answers the rare one that gets here, leaving an intent no order uses (pruned in time).
    if (payment.method === 'CARD' && isSavedCardToken(payment.cardToken)) await intents.create({ orderId, customerId: customer.sub, merchantId: product.merchantId, ...payment });
    const paymentChoiceSealed = sealPaymentChoice(choices, orderId, { ...payment, customerId: customer.sub, merchantId: product.merchantId });
    // A new order's every field is known before the statement (its time from our clock), so the
    // answer a replay gets is recorded with the order itself: the two commit together, and the
    // idempotency middleware's own finishing round trip is saved.
    const placedAt = new Date();
    const record = ctx.state.idempotencyRecord as IdempotencyRecord;
    const created: OrderSnapshot = { id: orderId, status: 'CREATED', cancellationReason: null, productId: body.productId, quantity: body.quantity, customerId: customer.sub, merchantId: product.merchantId, amountMinor: null, currency: null, createdAt: placedAt, updatedAt: placedAt };
    const accepted = 202;
    const answer = { scope: record.scope, key: record.key, status: accepted, body: JSON.stringify(orderView(created)) };
    const correlationId = ctx.state.correlationId as string;
    // Not in a transaction: placing writes everything in one statement (see createOrderOnce).
    const { order, replayed } = await placeOrder({ store: orderStore(db, cipher), envelopes: envelopesOf({ source: '/services/order', correlationId }) }, { ...command, orderId, paymentChoiceSealed, placedAt, answer });
    record.answered = !replayed;
    await reads.wrote(customer.sub);
    ctx.status = accepted;
    ctx.set('location', `/orders/${order.id}`);
    if (replayed) ctx.set('idempotent-replayed', 'true');
    ctx.body = orderView(order);
  });

  router.get('/orders', async (ctx) => {
    const identity = requireIdentity(ctx.state);
    const scope = listingScope(identity);
    if (!scope) throw new AppError('forbidden', 'this caller has no orders to list');
    const page = validate(listQuery, ctx.query, 'query');
    const search = { customerId: page.customerId, merchantId: page.merchantId, idempotencyKey: page.idempotencyKey };
    if (identity.role !== 'admin' && Object.values(search).some((value) => value !== undefined)) throw new AppError('forbidden', 'searching orders is for admins');
    const filters = Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined));
    const orders = await reads.read(identity.sub, (from) => listOrders(from, cipher, { ...filters, ...scope }, { limit: page.limit, before: page.before ? new Date(page.before) : undefined }));
    ctx.body = { orders: orders.map(orderView), nextBefore: orders.length === page.limit ? orders.at(-1)!.createdAt.toISOString() : null };
  });

  router.get('/orders/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'order id');
    const identity = (ctx.state.identity as Identity | null) ?? null;
    // A service's own call (no identity) reads the primary: it decides on what it reads. A
    // customer polling their order may be answered from the cache; merchants and admins read the
    // database (a replica when there is one, as for listings). Who may see it is checked either way.
    const load = () => reads.read(identity?.sub ?? null, (from) => orderStore(from, cipher).findOrder(id)); // a single read needs no transaction
    const order = identity?.role === 'customer' ? await statusCache.read(id, load) : await load();
    if (!order || !canSeeOrder(identity, order)) throw new AppError('not-found', `no order ${id}`);
    ctx.body = orderView(order);
  });

  return router;
}
