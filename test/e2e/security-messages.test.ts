import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { createEnvelope, type NewEvent } from '../../shared/src/envelope.ts';
import * as events from '../../shared/src/events/catalog.ts';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { E2E_AMQP_URL, signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { replayDlq } from '../../shared/src/dlq/replay.ts';
import { putEventInPaymentDlq } from './support/dead-letters.ts';
import { createLogger } from '../../shared/src/logger.ts';

/** Failure kinds of everything in a queue's DLQ (left in place). */
async function dlqKinds(queue: string): Promise<string[]> {
  const connection = await amqp.connect(E2E_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const kinds: string[] = [];
    for (;;) {
      const message = await channel.get(`${queue}.dlq`);
      if (!message) break;
      kinds.push(String(message.properties.headers?.['x-failure-kind']));
    }
    await channel.close(); // unacked: they stay
    return kinds;
  } finally {
    await connection.close();
  }
}

describe('forged events', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    platform = await startTestPlatform();
    api = await signedInClient(platform);
  });
  after(async () => platform.stopAll());

  it("when a service's own user publishes a type another service owns, or names another user, then the broker refuses it", async () => {
    const connection = await amqp.connect(platform.amqpUrlFor('order'));
    try {
      for (const [routingKey, userId, refusal] of [['payment.succeeded.v1', 'order', /ACCESS_REFUSED/], ['order.placed.v1', 'payment', /PRECONDITION_FAILED/]] as const) {
        const channel = await connection.createConfirmChannel();
        const closed = new Promise<Error>((resolve) => channel.once('error', resolve));
        channel.publish(EVENTS_EXCHANGE, routingKey, Buffer.from('{}'), { userId, persistent: true });
        assert.match((await closed).message, refusal, routingKey);
      }
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('when events of the right type come from the wrong publisher, then no order, stock, payment or ledger entry moves and each lands in a DLQ as unauthenticated', async () => {
    const productId = await api.createProduct({ stock: 5, priceMinor: 1000 });
    const orderId = await api.placeOrder(productId, { quantity: 2 });
    assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
    const stock = stockOf(await api.product(productId));
    const stranger = randomUUID();
    const forged: NewEvent[] = [
      { definition: events.PaymentSucceeded, subject: stranger, data: { orderId: stranger, paymentId: randomUUID(), amountMinor: 100_000, currency: 'EUR' } },
      { definition: events.InventoryCommitFailed, subject: orderId, data: { orderId, reservationId: null, reason: 'no_reservation' } },
      { definition: events.InventoryReleased, subject: orderId, data: { orderId, reservationId: randomUUID(), quantity: 2, reason: 'expired' } },
      { definition: events.InventoryReserved, subject: stranger, data: { orderId: stranger, reservationId: randomUUID(), productId, quantity: 1, amountMinor: 1, currency: 'EUR', expiresAt: new Date(Date.now() + 60_000).toISOString(), requestedBy: 'order-saga' } },
    ];
    // An administrator's connection (it may publish anything): the source claims the owner, the
    // user_id is missing or its own. Neither is the owning service.
    const connection = await amqp.connect(E2E_AMQP_URL);
    const channel = await connection.createConfirmChannel();
    for (const [index, event] of forged.entries()) {
      const envelope = createEnvelope(`/services/${event.definition.type.split('.')[0]}`, event);
      channel.publish(EVENTS_EXCHANGE, envelope.type, Buffer.from(JSON.stringify(envelope)), { messageId: envelope.id, type: envelope.type, persistent: true, ...(index % 2 ? { userId: 'guest' } : {}) });
    }
    await channel.waitForConfirms();
    await connection.close();

    // Every queue bound to a forged type dead-letters its copies, and only as unauthenticated.
    const expected: Record<string, number> = { order: 4, inventory: 1, payment: 3, ledger: 1 };
    for (const [queue, count] of Object.entries(expected)) {
      const kinds = await waitFor(`${count} forged events in ${queue}.dlq`, async () => {
        const found = await dlqKinds(queue);
        return found.length >= count ? found : undefined;
      });
      assert.deepEqual(new Set(kinds), new Set(['unauthenticated']), queue);
    }
    assert.equal((await api.order(orderId)).status, 'COMPLETED', 'the order did not move');
    assert.deepEqual(stockOf(await api.product(productId)), stock, 'stock did not move');
    assert.equal((await api.payment(orderId)).body.status, 'SUCCEEDED', 'nothing was refunded');
    assert.deepEqual((await api.request('GET', `/ledger/entries?orderId=${stranger}`, undefined, {}, 'admin')).body, [], 'no money was journaled');
    assert.equal((await api.ledgerEntries(orderId)).length, 1, 'only the genuine charge');
  });

  it('when an authentic event is dead-lettered and its service replays it, then it is applied; forged ones replayed stay unauthenticated', async () => {
    // Published by inventory itself, for an order payment holds no intent for: a permanent failure.
    const { orderId, fileIntent } = await putEventInPaymentDlq(platform, api);
    assert.ok((await dlqKinds('payment')).includes('permanent'));
    // The intent arrives late (as the order service files it), then payment replays its DLQ.
    await fileIntent();
    const payment = await amqp.connect(platform.amqpUrlFor('payment'));
    try {
      const report = await replayDlq(payment, { queue: 'payment', logger: createLogger('replay', 'silent') });
      assert.equal(report.replayed, 4, 'the authentic event and the three forged ones');
    } finally {
      await payment.close();
    }
    const charged = await waitFor('the replayed event to be charged', async () => {
      const answer = await api.request<{ status: string; gatewayOperations: Array<{ kind: string; outcome: string }> }>('GET', `/payments/${orderId}`, undefined, {}, 'admin');
      return answer.status === 200 && answer.body.gatewayOperations.length > 0 ? answer.body : undefined;
    });
    // Applied: the card was charged. (Inventory never held stock for this order, so the saga then
    // compensates and refunds it: SUCCEEDED or already REFUNDED, depending on when we look.)
    assert.deepEqual(charged.gatewayOperations[0], { ...charged.gatewayOperations[0], kind: 'charge', outcome: 'succeeded' });
    assert.ok(['SUCCEEDED', 'REFUNDED', 'PARTIALLY_REFUNDED'].includes(charged.status), charged.status);
    const kinds = await waitFor('the forged ones back in the DLQ', async () => {
      const found = await dlqKinds('payment');
      return found.length === 3 ? found : undefined;
    });
    assert.deepEqual(new Set(kinds), new Set(['unauthenticated']), 'a replay does not launder a forged event');
  });
});
