import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { sqlIdempotencyStore } from '@platform/shared/http/idempotency';
import { envelopesOf } from '@platform/shared/outbox/write-events';
import { PgSql } from '@platform/shared/service/sql-transaction';
import { createOrderDatabase } from './support/order-database.ts';
import { orderStore } from '../src/data-access/order-store.ts';
import { placeOrder, type PlaceOrderCommand } from '../src/domain/place-order.ts';

// POST /orders records the answer a replay will get in the order's own statement: the record the
// idempotency middleware began is finished by the statement that creates the order, or not at
// all. Racing requests (the middleware's lock taken over) leave exactly the creator's answer.
describe("the order's answer recorded with the order", () => {
  let pool: pg.Pool;
  let database: Awaited<ReturnType<typeof createOrderDatabase>>;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const records = () => sqlIdempotencyStore(new PgSql(pool));
  const place = (command: PlaceOrderCommand) => placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: '/services/order' }) }, command);
  const requestHash = createHash('sha256').update('POST /orders\n{}').digest('hex');
  /** As the route makes it: the record the middleware began, and the answer from the order as planned. */
  const commandFor = (scope: string, key: string): PlaceOrderCommand => {
    const orderId = randomUUID();
    const placedAt = new Date();
    return {
      orderId,
      idempotencyKey: `${scope}:${key}`,
      customerId: scope,
      merchantId: null,
      productId: '00000000-0000-4000-8000-000000000002',
      quantity: 2,
      payment: { method: 'WALLET' },
      customerEmail: null,
      placedAt,
      answer: { scope, key, status: 202, body: JSON.stringify({ orderId, status: 'CREATED', createdAt: placedAt.toISOString() }) },
    };
  };

  before(async () => {
    database = await createOrderDatabase();
    pool = database.pool;
  });
  after(() => database.drop());

  it('when an order is placed under a begun record, then the record replays the answer given and the order carries the time the answer shows', async () => {
    const [scope, key] = [randomUUID(), randomUUID()];
    assert.deepEqual(await records().begin(scope, key, requestHash), { kind: 'new' });
    const command = commandFor(scope, key);
    const { order, replayed } = await place(command);
    assert.equal(replayed, false);
    assert.equal(order.createdAt.toISOString(), command.placedAt!.toISOString());
    assert.equal(order.updatedAt.toISOString(), command.placedAt!.toISOString());
    assert.deepEqual(await records().begin(scope, key, requestHash), { kind: 'replay', status: 202, body: command.answer!.body });
  });

  it('when five requests with one key race past their records, then one order is created and the record holds its answer alone', async () => {
    const [scope, key] = [randomUUID(), randomUUID()];
    await records().begin(scope, key, requestHash);
    const commands = Array.from({ length: 5 }, () => commandFor(scope, key));
    const results = await Promise.all(commands.map(place));
    const creators = results.filter((result) => !result.replayed);
    assert.equal(creators.length, 1);
    const creator = commands.find((command) => command.orderId === creators[0]!.order.id)!;
    assert.ok(results.every((result) => result.order.id === creator.orderId));
    assert.deepEqual(await records().begin(scope, key, requestHash), { kind: 'replay', status: 202, body: creator.answer!.body });
  });

  it('when the key already has its order (its record gone), then no answer is written and the record stays in flight for the middleware to finish', async () => {
    const [scope, key] = [randomUUID(), randomUUID()];
    await place(commandFor(scope, key));
    await records().begin(scope, key, requestHash);
    const again = await place(commandFor(scope, key));
    assert.equal(again.replayed, true);
    const [row] = (await pool.query<{ state: string; response_body: string | null }>('SELECT state, response_body FROM idempotency_record WHERE scope = $1 AND key = $2', [scope, key])).rows;
    assert.deepEqual(row, { state: 'IN_FLIGHT', response_body: null });
  });
});
