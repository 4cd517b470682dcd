import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { chargesFor, refundsFor } from './support/psp-books.ts';
import { registerCustomer } from './support/sessions.ts';
import { query } from './support/forge.ts';
import { Redis } from 'ioredis';
import { waitFor } from '../../shared/test/support/wait.ts';

describe('refunds and idempotency keys', () => {
  const suite = platformForSuite();

  const refund = (orderId: string, amountMinor: number, as: 'merchant' | 'admin' | 'customer' = 'merchant', key?: string) =>
    suite.api.request<{ id: string; amountMinor: number; status: string; detail?: string }>('POST', `/payments/${orderId}/refunds`, { amountMinor, reason: 'customer returned part' }, key ? { 'idempotency-key': key } : {}, as);

  it('when the merchant refunds a payment twice in part, then a third refund beyond the capture is refused, and ledger and gateway agree to the unit', async () => {
    const productId = await suite.api.createProduct({ stock: 5, priceMinor: 1000 });
    const orderId = await suite.api.placeOrder(productId, { quantity: 2 });
    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    assert.equal((await refund(orderId, 300, 'customer')).status, 403, 'a customer cannot refund');

    const first = await refund(orderId, 500);
    const second = await refund(orderId, 700, 'admin');
    assert.deepEqual([first.status, first.body.status, second.status, second.body.status], [201, 'SUCCEEDED', 201, 'SUCCEEDED']);
    const third = await refund(orderId, 801);
    assert.equal(third.status, 422);
    assert.match(third.body.detail ?? '', /exceeds what is left/);

    const payment = (await suite.api.payment(orderId)).body;
    assert.deepEqual([payment.status, payment.refundedMinor, payment.refunds.length], ['PARTIALLY_REFUNDED', 1200, 2]);
    const [charge] = await chargesFor(orderId);
    assert.deepEqual([charge?.amount, charge?.refunded], [2000, 1200], "the gateway's books");
    assert.deepEqual((await refundsFor(charge!.id)).map((row) => row.amount), [500, 700]);
    const entries = await waitFor('two refunds journaled', async () => {
      const found = await suite.api.ledgerEntries(orderId);
      return found.filter((entry) => entry.kind === 'refund').length === 2 ? found : undefined;
    });
    // What the refunds returned to clearing is exactly what the gateway paid back.
    const clearingBack = entries.filter((entry) => entry.kind === 'refund').flatMap((entry) => entry.postings).reduce((sum, posting) => sum + posting.creditMinor, 0);
    assert.equal(clearingBack, 1200);
    assert.equal((await suite.api.order(orderId)).status, 'COMPLETED', "a merchant's refund does not cancel the order");
    assert.equal((await suite.api.trialBalance()).balanced, true);

    const rest = await refund(orderId, 800);
    assert.equal(rest.status, 201);
    assert.equal((await suite.api.payment(orderId)).body.status, 'REFUNDED');
    assert.equal((await refund(orderId, 1)).status, 409, 'nothing is left to refund');
  });

  it('when 20 refunds race for one payment, then together they never exceed the capture', async () => {
    const productId = await suite.api.createProduct({ stock: 5, priceMinor: 1000 });
    const orderId = await suite.api.placeOrder(productId, { quantity: 1 });
    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    const answers = await Promise.all(Array.from({ length: 20 }, () => refund(orderId, 150)));
    const accepted = answers.filter((answer) => answer.status === 201).length;
    assert.equal(accepted, 6, answers.map((answer) => answer.status).join(','));
    const [charge] = await chargesFor(orderId);
    assert.equal(charge?.refunded, 900);
  });

  it('when a POST is repeated with its key, then the first response is replayed; another body is a 422; another customer’s same key is another request', async () => {
    const productId = await suite.api.createProduct({ stock: 10, priceMinor: 500 });
    const key = `key-${randomUUID()}`;
    const body = { productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' };
    const first = await suite.api.request<{ orderId: string; status: string }>('POST', '/orders', body, { 'idempotency-key': key });
    assert.equal(first.status, 202);
    await suite.api.finalOrder(first.body.orderId);
    const replay = await suite.api.request<{ orderId: string; status: string }>('POST', '/orders', body, { 'idempotency-key': key });
    assert.deepEqual([replay.status, replay.headers.get('idempotent-replayed'), replay.body], [202, 'true', first.body], 'the stored first response, not the order as it is now');
    const other = await suite.api.request('POST', '/orders', { ...body, quantity: 2 }, { 'idempotency-key': key });
    assert.equal(other.status, 422);

    // Redis answers the replay without the database; the database answers it without Redis.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const cacheKey = `idem:order:${suite.api.sessions!.customerId}:${key}`;
      assert.ok(await redis.get(cacheKey), 'the first response is cached in Redis');
      const [row] = await query<{ response_body: string }>('order', 'DELETE FROM idempotency_record WHERE key = $1 RETURNING response_body', [key]);
      const fromRedis = await suite.api.request<{ orderId: string }>('POST', '/orders', body, { 'idempotency-key': key });
      assert.deepEqual([fromRedis.status, fromRedis.body.orderId], [202, first.body.orderId]);
      await query('order', "INSERT INTO idempotency_record (scope, key, request_hash, state, response_status, response_body, locked_until) SELECT $1, $2, 'x', 'DONE', 202, $3, now()", [suite.api.sessions!.customerId, key, row!.response_body]);
      await redis.del(cacheKey);
      const fromDatabase = await suite.api.request<{ orderId: string }>('POST', '/orders', body, { 'idempotency-key': key });
      assert.equal(fromDatabase.status, 422, 'the database record (its hash differs here on purpose) is the backstop');
    } finally {
      redis.disconnect();
    }

    const stranger = await registerCustomer(suite.platform.url('gateway'));
    const theirs = await fetch(`${suite.platform.url('gateway')}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stranger.accessToken}`, 'idempotency-key': key }, body: JSON.stringify(body) });
    const theirBody = (await theirs.json()) as { orderId: string };
    assert.equal(theirs.status, 202);
    assert.notEqual(theirBody.orderId, first.body.orderId, 'keys are scoped to the caller');

    const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: '123' };
    const cards = [await suite.api.request<{ cardToken: string }>('POST', '/payments/cards', card, { 'idempotency-key': key }), await suite.api.request<{ cardToken: string }>('POST', '/payments/cards', card, { 'idempotency-key': key })];
    assert.equal(cards[0]!.body.cardToken, cards[1]!.body.cardToken, 'one card for one key');
    assert.equal(cards[1]!.headers.get('idempotent-replayed'), 'true');

    const refundKey = `refund-${randomUUID()}`;
    const refunds = [await refund(first.body.orderId, 100, 'merchant', refundKey), await refund(first.body.orderId, 100, 'merchant', refundKey)];
    assert.equal(refunds[0]!.body.id, refunds[1]!.body.id);
    const [charge] = await chargesFor(first.body.orderId);
    assert.equal(charge?.refunded, 100, 'refunded once');
  });

  it('when a key is older than 24 hours, then it is forgotten: the same key starts a new request', async () => {
    const key = `old-${randomUUID()}`;
    const card = (number: string) => suite.api.request<{ cardToken: string }>('POST', '/payments/cards', { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: '123' }, { 'idempotency-key': key });
    const first = await card('4242424242424242');
    assert.equal((await card('5555555555554444')).status, 422, 'within the day: another body is refused');
    await query('payment', "UPDATE idempotency_record SET created_at = now() - interval '25 hours' WHERE key = $1", [key]);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await redis.del(`idem:payment:${suite.api.sessions!.customerId}:${key}`); // its cache entry expires with it
    redis.disconnect();
    const later = await card('5555555555554444');
    assert.equal(later.status, 201);
    assert.notEqual(later.body.cardToken, first.body.cardToken);
  });

  it('when 50 requests race with one key, then exactly one order exists; the others are 409 or the replayed first response', async () => {
    const productId = await suite.api.createProduct({ stock: 100, priceMinor: 500 });
    const key = `race-${randomUUID()}`;
    const body = { productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => suite.api.request<{ orderId?: string }>('POST', '/orders', body, { 'idempotency-key': key })));
    const statuses = new Set(answers.map((answer) => answer.status));
    assert.ok([...statuses].every((status) => status === 202 || status === 409), [...statuses].join(','));
    const orderIds = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId));
    assert.equal(orderIds.size, 1, 'one order');
    // Exactly one request made the order: every other 202 is the stored first response replayed.
    // (How many arrive while the first is in flight, answered 409, depends on timing: none is fine.)
    const fresh = answers.filter((answer) => answer.status === 202 && answer.headers.get('idempotent-replayed') !== 'true');
    assert.equal(fresh.length, 1, 'one request made the order; the rest were replays or 409');
    const [orderId] = [...orderIds] as string[];
    await suite.api.finalOrder(orderId!);
    const listed = (await suite.api.request<{ orders: Array<{ orderId: string }> }>('GET', '/orders?limit=100')).body.orders.filter((order) => order.orderId === orderId);
    assert.equal(listed.length, 1);
    const product = await suite.api.product(productId);
    assert.equal(product.sold, 1, 'one sale');
  });
});
