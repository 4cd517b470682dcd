import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope } from '@platform/shared/envelope';
import { InventoryCommitted, InventoryReserved, PaymentFailed } from '@platform/shared/events/catalog';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { fastFailingRedis } from '@platform/shared/http/idempotency-cache';
import { envelopesOf, outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { orderStore } from '../src/data-access/order-store.ts';
import { cacheKey, orderStatusCache } from '../src/data-access/order-status-cache.ts';
import { placeOrder } from '../src/domain/place-order.ts';
import { orderHandlers } from '../src/entry-points/messaging-handlers.ts';
import { createOrderDatabase } from './support/order-database.ts';

// A customer's GET /orders/:id may be answered from Redis: each move this service commits must
// make the next read see it, and Redis being gone must only send reads to the database.
describe('the order status cache', () => {
  let database: Awaited<ReturnType<typeof createOrderDatabase>>;
  let pool: pg.Pool;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const cache = orderStatusCache(redis);
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const handlers = orderHandlers(cipher, () => undefined, (orderId) => void cache.forget(orderId));
  const placed = async () => {
    const command = { orderId: randomUUID(), idempotencyKey: randomUUID(), customerId: randomUUID(), merchantId: null, productId: randomUUID(), quantity: 1, payment: { method: 'WALLET' as const }, customerEmail: 'poller@example.com' };
    return (await placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: '/services/order' }) }, command)).order.id;
  };
  const reads = { database: 0 };
  const read = (orderId: string) =>
    cache.read(orderId, () => {
      reads.database += 1;
      return orderStore(new PgSql(pool), cipher).findOrder(orderId);
    });
  const deliver = async (envelope: ReturnType<typeof createEnvelope>) => {
    const handler = handlers.find((candidate) => candidate.definition.type === envelope.type)!;
    const outcome = await applyInOneStatement(new PgSql(pool), { queue: 'order', source: '/services/order' }, envelope, 1, handler.inOneStatement!, envelope.data, () => undefined);
    // The move's forget is not awaited, but it was sent first on this connection: the next read follows it.
    return outcome;
  };

  before(async () => {
    database = await createOrderDatabase();
    pool = database.pool;
  });
  after(async () => {
    redis.disconnect();
    await database.drop();
  });

  it('when an order was read once, then the next read is answered without the database', async () => {
    const orderId = await placed();
    reads.database = 0;
    assert.equal((await read(orderId))?.status, 'CREATED');
    assert.equal((await read(orderId))?.status, 'CREATED');
    assert.equal(reads.database, 1, 'the second read came from Redis');
  });

  it('when a cached order moves, then the next read answers its new status', async () => {
    const orderId = await placed();
    assert.equal((await read(orderId))?.status, 'CREATED');
    assert.equal(await deliver(createEnvelope('/services/inventory', { definition: InventoryReserved, subject: orderId, data: { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 1_500, currency: 'EUR', expiresAt: new Date(Date.now() + 60_000).toISOString(), requestedBy: 'order-saga' } })), 'applied');
    const moved = await read(orderId);
    assert.deepEqual([moved?.status, moved?.amountMinor], ['INVENTORY_RESERVED', 1_500n]);
    assert.equal(await deliver(createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: randomUUID() } })), 'applied');
    assert.equal((await read(orderId))?.status, 'COMPLETED');
  });

  it('when a cached order moves in a transaction (a batch), then the read after its commit answers the new status', async () => {
    const orderId = await placed();
    assert.equal((await read(orderId))?.status, 'CREATED');
    const envelope = createEnvelope('/services/payment', { definition: PaymentFailed, subject: orderId, data: { orderId, reason: 'card_declined', customerId: null, merchantId: null } });
    const handler = handlers.find((candidate) => candidate.definition.type === envelope.type)!;
    const committed: (() => Promise<void>)[] = [];
    await sqlTransaction(pool, (tx) => handler.handle(envelope.data, { tx, envelope, publish: outboxPublisher(tx, { source: '/services/order' }), afterCommit: (task) => committed.push(task) }));
    assert.equal((await read(orderId))?.status, 'CREATED', 'forgotten only once committed: until then the entry stands');
    for (const task of committed) await task();
    assert.deepEqual([(await read(orderId))?.status, (await read(orderId))?.cancellationReason], ['CANCELLED', 'card_declined']);
  });

  it('when an order is cached, then Redis holds no personal data', async () => {
    const orderId = await placed();
    await read(orderId);
    const stored = await redis.get(cacheKey(orderId));
    assert.ok(stored, 'the order is cached');
    assert.ok(!stored.includes('poller@example.com') && !stored.includes('customerEmail'), 'the e-mail is not stored');
  });

  it('when an order is final, then it is not kept: its reads stay the database\'s', async () => {
    const orderId = await placed();
    assert.equal(await deliver(createEnvelope('/services/payment', { definition: PaymentFailed, subject: orderId, data: { orderId, reason: 'card_declined', customerId: null, merchantId: null } })), 'applied');
    reads.database = 0;
    assert.equal((await read(orderId))?.status, 'CANCELLED');
    assert.equal(await redis.exists(cacheKey(orderId)), 0);
    await read(orderId);
    assert.equal(reads.database, 2);
  });

  it('when an order does not exist, then nothing is remembered for its id', async () => {
    const orderId = randomUUID();
    assert.equal(await read(orderId), null);
    assert.equal(await redis.exists(cacheKey(orderId)), 0);
  });

  it('when an entry cannot be read, then the database answers', async () => {
    const orderId = await placed();
    await redis.set(cacheKey(orderId), '{"id":1', 'EX', 60);
    reads.database = 0;
    assert.equal((await read(orderId))?.id, orderId);
    assert.equal(reads.database, 1);
  });

  it('when Redis is down, then reads answer from the database and forgetting does not fail', async () => {
    const gone = await fastFailingRedis('redis://127.0.0.1:1', () => undefined);
    try {
      const offline = orderStatusCache(gone);
      const orderId = await placed();
      const order = await offline.read(orderId, () => orderStore(new PgSql(pool), cipher).findOrder(orderId));
      assert.equal(order?.status, 'CREATED');
      await offline.forget(orderId);
    } finally {
      gone.disconnect();
    }
  });
});
