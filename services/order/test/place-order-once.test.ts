import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { envelopesOf } from '@platform/shared/outbox/write-events';
import { PgSql } from '@platform/shared/service/sql-transaction';
import { createOrderDatabase } from './support/order-database.ts';
import { orderStore } from '../src/data-access/order-store.ts';
import { placeOrder, type PlaceOrderCommand } from '../src/domain/place-order.ts';

// Placing an order is one statement outside any transaction (createOrderOnce): the key row is
// all that keeps racing requests with one key from creating two orders. The gateway's Redis
// idempotency normally answers such races first; here they reach the database together.
describe('placing an order writes it once per idempotency key', () => {
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const place = (command: PlaceOrderCommand) => placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: '/services/order', correlationId: randomUUID() }) }, command);
  const command = (key: string, quantity = 1): PlaceOrderCommand => ({
    orderId: randomUUID(),
    idempotencyKey: key,
    customerId: '00000000-0000-4000-8000-000000000001',
    merchantId: null,
    productId: '00000000-0000-4000-8000-000000000002',
    quantity,
    payment: { method: 'WALLET' },
    customerEmail: 'buyer@example.com',
  });
  const count = async (sql: string, ...values: unknown[]) => Number((await pool.query<{ n: string }>(sql, values)).rows[0]!.n);

  let database: Awaited<ReturnType<typeof createOrderDatabase>>;
  before(async () => {
    database = await createOrderDatabase();
    pool = database.pool;
  });
  after(() => database.drop());

  it('when 20 requests with one key race, then exactly one order and one order.placed row exist and every answer is that order', async () => {
    const key = `customer:${randomUUID()}`;
    const commands = Array.from({ length: 20 }, () => command(key));
    const answers = await Promise.all(commands.map(place));
    const tried = commands.map((each) => each.orderId);
    const ids = new Set(answers.map((answer) => answer.order.id));
    assert.equal(ids.size, 1, 'one order for the key');
    assert.equal(answers.filter((answer) => !answer.replayed).length, 1, 'one request created it, the others replayed it');
    const [id] = ids;
    assert.ok(tried.includes(id!));
    assert.equal(await count('SELECT count(*) AS n FROM orders WHERE id = ANY($1::uuid[])', tried), 1);
    assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE aggregate_id = ANY($1::text[]) AND routing_key = 'order.placed.v1'", tried), 1);
    assert.equal(answers[0]!.order.customerEmail, 'buyer@example.com', 'the e-mail is sealed at rest and read back');
  });

  it('when a key comes back with another request, then it is refused and nothing is written', async () => {
    const key = `customer:${randomUUID()}`;
    const first = await place(command(key));
    const ordersBefore = await count('SELECT count(*) AS n FROM orders');
    const outboxBefore = await count('SELECT count(*) AS n FROM outbox');
    await assert.rejects(place(command(key, 2)), /already used with a different request/);
    assert.equal(await count('SELECT count(*) AS n FROM orders'), ordersBefore);
    assert.equal(await count('SELECT count(*) AS n FROM outbox'), outboxBefore);
    assert.equal((await place({ ...command(key), orderId: randomUUID() })).order.id, first.order.id, 'the same request is the first order');
  });
});
