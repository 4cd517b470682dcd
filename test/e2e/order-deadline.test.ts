import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { E2E_AMQP_URL, platformForSuite } from './support/test-platform.ts';
import { chargesFor } from './support/psp-books.ts';

const DEADLINE_MS = 4_000;

describe('every order ends: the deadline cancels and compensates a stuck saga', () => {
  const suite = platformForSuite({ order: { ORDER_DEADLINE_MS: String(DEADLINE_MS), ORDER_DEADLINE_SWEEP_MS: '300' } });

  /** Takes one binding away while `work` runs: the event type no longer reaches that service's queue. */
  async function withoutBinding<T>(queue: string, eventType: string, work: () => Promise<T>): Promise<T> {
    const connection = await amqp.connect(E2E_AMQP_URL);
    const channel = await connection.createChannel();
    await channel.unbindQueue(queue, EVENTS_EXCHANGE, eventType);
    try {
      return await work();
    } finally {
      await channel.bindQueue(queue, EVENTS_EXCHANGE, eventType);
      await connection.close();
    }
  }

  /** The lost order.placed, put where a poison message would have gone: the inventory's DLQ. */
  async function deadLetterUnrouted(orderId: string): Promise<void> {
    const connection = await amqp.connect(E2E_AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const message = await waitFor('order.placed unrouted', async () => (await channel.get('events.unrouted')) || undefined);
      assert.equal((JSON.parse(message.content.toString()) as { subject: string }).subject, orderId);
      const properties: amqp.Options.Publish = { ...message.properties, userId: undefined }; // only its publisher may send under its name
      channel.sendToQueue('inventory.dlq', message.content, { ...properties, headers: { ...(message.properties.headers as Record<string, unknown>), 'x-failure-reason': 'injected by the test', 'x-failure-kind': 'permanent' } });
      await channel.waitForConfirms();
      channel.ack(message);
    } finally {
      await connection.close();
    }
  }

  const cancelledAtDeadline = async (orderId: string) => {
    const order = await suite.api.finalOrder(orderId, 30_000);
    assert.deepEqual([order.status, order.cancellationReason], ['CANCELLED', 'deadline_exceeded']);
  };

  it('when an order.placed is dead-lettered, then the order is cancelled at its deadline and no stock is held', async () => {
    const productId = await suite.api.createProduct({ stock: 3 });
    const orderId = await withoutBinding('inventory', 'order.placed.v1', async () => {
      const placed = await suite.api.placeOrder(productId);
      await deadLetterUnrouted(placed);
      return placed;
    });
    await cancelledAtDeadline(orderId);
    const stock = await suite.api.product(productId);
    assert.deepEqual([stock.available, stock.reserved, stock.sold], [3, 0, 0]);
  });

  it('when the payment never starts, then the held stock is given back at the deadline', async () => {
    const productId = await suite.api.createProduct({ stock: 3, holdSeconds: 600 });
    const orderId = await withoutBinding('payment', 'inventory.reserved.v1', async () => {
      const placed = await suite.api.placeOrder(productId, { quantity: 2 });
      await waitFor('stock held', async () => ((await suite.api.product(productId)).reserved === 2 ? true : undefined));
      await cancelledAtDeadline(placed);
      return placed;
    });
    await waitFor('stock back', async () => ((await suite.api.product(productId)).available === 3 ? true : undefined));
    assert.equal((await suite.api.payment(orderId)).status, 404, 'nothing was charged');
  });

  it("when the order never hears that its stock was committed, then at the deadline the sale is taken back and the payment refunded in full", async () => {
    const productId = await suite.api.createProduct({ stock: 3, priceMinor: 1200 });
    const orderId = await withoutBinding('order', 'inventory.committed.v1', async () => {
      const placed = await suite.api.placeOrder(productId);
      await waitFor('stock sold', async () => ((await suite.api.product(productId)).sold === 1 ? true : undefined));
      await cancelledAtDeadline(placed);
      return placed;
    });
    const payment = await waitFor('the payment refunded', async () => {
      const view = (await suite.api.payment(orderId)).body;
      return view.status === 'REFUNDED' ? view : undefined;
    });
    assert.equal(payment.refundedMinor, 1200);
    assert.deepEqual((await chargesFor(orderId)).map((charge) => [charge.amount, charge.refunded]), [[1200, 1200]]);
    const stock = await suite.api.product(productId);
    assert.deepEqual([stock.available, stock.reserved, stock.sold], [3, 0, 0]);

    // Every book agrees afterwards (the ledger journaled the refund once the relay caught up).
    await waitFor('the refund journaled', async () => ((await suite.api.ledgerEntries(orderId)).some?.((entry) => entry.kind === 'refund') ? true : undefined));
    const audit = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit-money.ts', '--prefix', 'e2e']).catch((error: { stdout: string }) => error);
    assert.match(audit.stdout, /money audit passed/, audit.stdout);
  });
});
