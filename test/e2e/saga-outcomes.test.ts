import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { E2E_AMQP_URL, E2E_VHOST, signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { queueInfo } from '../../scripts/broker-setup.ts';
import { query } from './support/forge.ts';
import { PLATFORM_QUEUES } from '../../shared/src/amqp/platform-topology.ts';
import { stockOf, type GatewayClient } from './support/api.ts';
import { chargesFor, setGatewayKnobs } from './support/psp-books.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

describe('order saga outcomes, end to end through the gateway', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    platform = await startTestPlatform();
    api = await signedInClient(platform);
  });
  after(async () => platform.stopAll());

  it('when a paid order goes through, then it completes: stock sold, payment taken once, ledger balanced, customer notified', async () => {
    const productId = await api.createProduct({ stock: 10, priceMinor: 1500 });
    const orderId = await api.placeOrder(productId, { quantity: 3, email: 'ada@example.com' });
    const order = await api.finalOrder(orderId);
    assert.equal(order.status, 'COMPLETED');
    assert.deepEqual(stockOf(await api.product(productId)), { available: 7, reserved: 0, sold: 3 });
    const payment = await api.payment(orderId);
    assert.equal(payment.body.status, 'SUCCEEDED');
    assert.deepEqual(payment.body.gatewayOperations.map((operation) => [operation.kind, operation.outcome]), [['charge', 'succeeded']]);
    assert.deepEqual((await chargesFor(orderId)).map((charge) => [charge.status, charge.amount]), [['succeeded', 4500]], "one charge in the gateway's books");
    const entries = await waitFor('the charge in the ledger', async () => {
      const found = await api.ledgerEntries(orderId);
      return found.length === 1 ? found : undefined;
    });
    assert.equal(entries[0]!.kind, 'charge');
    // 4500 charged: clearing debited 4500; the default fee (2.9 % rounded down + 30) is 160, so the
    // merchant is owed 4340 and fee revenue earns 160.
    const merchantId = api.sessions!.merchantId;
    assert.deepEqual(entries[0]!.postings.map((posting) => [posting.account, posting.debitMinor, posting.creditMinor]).sort(), [
      ['fee_revenue', 0, 160],
      [`merchant_payable:${merchantId}`, 0, 4340],
      ['psp_clearing', 4500, 0],
    ]);
    assert.equal((await api.trialBalance()).balanced, true);
    const notices = await waitFor('the notice', async () => ((await api.notifications(orderId)).length === 1 ? api.notifications(orderId) : undefined));
    assert.equal(notices[0]!.template, 'order-completed');
    assert.equal(notices[0]!.recipient, 'ada@example.com');
    const timeline = await api.timeline(orderId);
    const types = timeline.events.map((event) => event.type);
    for (const type of ['order.placed.v1', 'inventory.reserved.v1', 'payment.succeeded.v1', 'inventory.committed.v1', 'ledger.entry-recorded.v1', 'order.completed.v1']) {
      assert.ok(types.includes(type), `timeline has ${type}: ${types.join(', ')}`);
    }
    assert.equal(timeline.events.find((event) => event.type === 'payment.succeeded.v1')?.causedBy, 'inventory.reserved.v1');
  });

  it('when the product is out of stock, then the order is cancelled with that reason and no payment is attempted', async () => {
    const productId = await api.createProduct({ stock: 1 });
    const orderId = await api.placeOrder(productId, { quantity: 2 });
    const order = await api.finalOrder(orderId);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancellationReason, 'out_of_stock');
    assert.equal((await api.payment(orderId)).status, 404);
    assert.deepEqual(stockOf(await api.product(productId)), { available: 1, reserved: 0, sold: 0 });
  });

  it('when the card is declined, then the stock is released exactly, the order cancelled, and nothing reaches the ledger', async () => {
    const productId = await api.createProduct({ stock: 5 });
    const declined = await api.placeOrder(productId, { quantity: 2, cardToken: 'tok_chargeDeclined' });
    const broke = await api.placeOrder(productId, { quantity: 1, cardToken: 'tok_chargeDeclinedInsufficientFunds' });
    const declinedOrder = await api.finalOrder(declined);
    assert.equal(declinedOrder.status, 'CANCELLED');
    assert.equal(declinedOrder.cancellationReason, 'card_declined');
    assert.equal((await api.finalOrder(broke)).cancellationReason, 'insufficient_funds');
    await waitFor('stock to be released', async () => (await api.product(productId)).available === 5);
    assert.deepEqual(stockOf(await api.product(productId)), { available: 5, reserved: 0, sold: 0 });
    assert.deepEqual((await api.request('GET', `/ledger/entries?orderId=${declined}`, undefined, {}, 'admin')).body, [], 'an admin sees no entry at all');
    assert.equal((await api.payment(declined)).body.status, 'FAILED');
  });

  it('when the hold expires while the card is being charged, then the payment is refunded, stock released, the ledger shows charge and refund', async () => {
    const productId = await api.createProduct({ stock: 4, priceMinor: 999, holdSeconds: 1 });
    const orderId = await api.placeOrder(productId, { quantity: 2, cardToken: 'tok_visa_slow' });
    const order = await api.finalOrder(orderId);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancellationReason, 'reservation_expired');
    const payment = await waitFor('the refund', async () => {
      const answer = await api.payment(orderId);
      return answer.body.status === 'REFUNDED' ? answer.body : undefined;
    });
    assert.deepEqual(payment.gatewayOperations.map((operation) => [operation.kind, operation.outcome]), [['charge', 'succeeded'], ['refund', 'succeeded']]);
    const [charge, ...others] = await chargesFor(orderId);
    assert.deepEqual([charge?.amount, charge?.refunded, others.length], [1998, 1998, 0], "the gateway's books: one charge, refunded in full");
    const entries = await waitFor('charge and refund journaled', async () => {
      const found = await api.ledgerEntries(orderId);
      return found.length === 2 ? found : undefined;
    });
    assert.deepEqual(entries.map((entry) => entry.kind).sort(), ['charge', 'refund']);
    // The refund reverses the charge exactly: every account it touched nets to zero.
    const net = new Map<string, number>();
    for (const posting of entries.flatMap((entry) => entry.postings)) net.set(posting.account, (net.get(posting.account) ?? 0) + posting.debitMinor - posting.creditMinor);
    assert.deepEqual([...net.values()], [0, 0, 0], JSON.stringify([...net]));
    assert.deepEqual(stockOf(await api.product(productId)), { available: 4, reserved: 0, sold: 0 });
    assert.equal((await api.trialBalance()).balanced, true);
  });

  it('when the gateway is down until the hold has expired, then the stock is released and the order cancelled; the late payment never charges', async () => {
    const productId = await api.createProduct({ stock: 3, holdSeconds: 2 });
    await setGatewayKnobs(platform, { failureRate: 1 });
    const orderId = await api.placeOrder(productId, { quantity: 3 });
    const order = await api.finalOrder(orderId);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancellationReason, 'reservation_expired');
    assert.deepEqual(stockOf(await api.product(productId)), { available: 3, reserved: 0, sold: 0 });

    await setGatewayKnobs(platform, { failureRate: 0 });
    const payment = await waitFor('the sweeper to settle the payment', async () => {
      const answer = await api.payment(orderId);
      return answer.body.status === 'FAILED' ? answer.body : undefined;
    });
    assert.equal(payment.failureReason, 'reservation_expired');
    assert.ok(payment.gatewayOperations.every((operation) => operation.outcome === 'unavailable'), JSON.stringify(payment.gatewayOperations));
    assert.deepEqual(await chargesFor(orderId), [], 'the card was never charged');
    assert.equal((await api.order(orderId)).status, 'CANCELLED');
  });

  it("when an admin prices a merchant and an order is paid, then the merchant reads the net amount on its payable and statement, and no one else can", async () => {
    const merchantId = api.sessions!.merchantId;
    const priced = await api.request('PUT', `/ledger/merchants/${merchantId}/fee`, { bps: 500, fixedMinor: 0 }, {}, 'admin');
    assert.equal(priced.status, 200);
    const productId = await api.createProduct({ stock: 5, priceMinor: 2_000 });
    const trail = `trail-${randomUUID().slice(0, 8)}`;
    const placed = await api.request<{ orderId: string }>('POST', '/orders', { productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': randomUUID(), 'x-correlation-id': trail });
    const orderId = placed.body.orderId;
    assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
    const entries = await waitFor('the charge', async () => {
      const found = await api.ledgerEntries(orderId);
      return found.length === 1 ? found : undefined;
    });
    const transfer = entries[0]!;
    assert.equal(transfer.correlationId, trail, "the request's correlation id leads to the money");
    const timeline = await api.timeline(orderId);
    assert.equal(timeline.events.find((event) => event.id === transfer.eventId)?.type, 'payment.succeeded.v1', 'and so does the event that caused it');
    const payablePosting = entries[0]!.postings.find((posting) => posting.account === `merchant_payable:${merchantId}`);
    assert.equal(payablePosting?.creditMinor, 1_900, '5 % of 2000 is the fee');

    const mine = await api.request<Array<{ id: string; type: string; ownerId: string }>>('GET', '/ledger/accounts', undefined, {}, 'merchant');
    assert.deepEqual(mine.body.map((account) => [account.type, account.ownerId]), [['merchant_payable', merchantId]], 'a merchant lists only its own accounts');
    const payableId = mine.body[0]!.id;
    const account = await api.request<{ posted: number; pending: number; available: number; currency: string }>('GET', `/ledger/accounts/${payableId}`, undefined, {}, 'merchant');
    assert.equal(account.body.currency, 'EUR');
    assert.equal(account.body.available, account.body.posted - account.body.pending);
    const statement = await api.request<{ lines: Array<{ transferId: string; creditMinor: number; runningBalance: number }> }>('GET', `/ledger/accounts/${payableId}/statement?limit=1`, undefined, {}, 'merchant');
    assert.equal(statement.body.lines[0]?.creditMinor, 1_900, 'the newest line first');
    assert.equal(statement.body.lines[0]?.runningBalance, account.body.posted, 'its running balance is the balance');
    assert.equal((await api.request('GET', `/ledger/accounts/${payableId}/statement?before=9999999999999999999`, undefined, {}, 'merchant')).status, 400, 'a cursor out of range is bad input, not a 500');

    assert.equal((await api.request('GET', `/ledger/accounts/${payableId}`, undefined, {}, 'customer')).status, 404, "a customer cannot read a merchant's payable");
    assert.equal((await api.request('PUT', `/ledger/merchants/${merchantId}/fee`, { bps: 0, fixedMinor: 0 }, {}, 'merchant')).status, 403, 'merchants do not set their own fee');
    const all = await api.request<Array<{ type: string }>>('GET', '/ledger/accounts?type=fee_revenue', undefined, {}, 'admin');
    assert.deepEqual([...new Set(all.body.map((item) => item.type))], ['fee_revenue']);
  });

  it('when orders have run, then nothing waits in events.unrouted (events no one consumes are not sent), and it and every DLQ carry their caps', async () => {
    const orderId = await api.placeOrder(await api.createProduct({ stock: 1 }));
    assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
    const types = (await api.timeline(orderId)).events.map((event) => event.type);
    assert.ok(types.includes('ledger.entry-recorded.v1'), 'still in the outbox, so still on the timeline');
    await waitFor('the ledger outbox relayed', async () => {
      const [row] = await query<{ unsent: number; recorded: number }>('ledger', "SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unsent, count(*) FILTER (WHERE routing_key = 'ledger.entry-recorded.v1')::int AS recorded FROM outbox");
      return row && row.unsent === 0 && row.recorded > 0 ? true : undefined;
    });
    // Asked of the queue itself (passive declare), not the management API's sampled statistics.
    const connection = await amqp.connect(E2E_AMQP_URL);
    try {
      assert.equal((await (await connection.createChannel()).checkQueue('events.unrouted')).messageCount, 0);
    } finally {
      await connection.close();
    }
    // The management API shows a queue's policy once its statistics carry it (they are emitted
    // every few seconds), so a queue declared just now may be listed without one for a moment.
    const withPolicy = (queue: string) => waitFor(`${queue} listed with its policy`, async () => {
      const info = await queueInfo(E2E_VHOST, queue);
      return info.policy ? info : undefined;
    }, 15_000, 250);
    assert.equal((await withPolicy('events.unrouted')).policy, 'unrouted-cap');
    for (const service of PLATFORM_QUEUES) {
      const dlq = await withPolicy(`${service.queue}.dlq`);
      assert.deepEqual([dlq.policy, dlq.effective_policy_definition['max-length']], ['dlq-cap', 100_000], service.queue);
    }
  });
});
