import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp, { type ChannelModel } from 'amqplib';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { E2E_AMQP_URL, signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';
import { sleep, waitFor } from '../../shared/test/support/wait.ts';
import { chargesFor } from './support/psp-books.ts';

describe('every event delivered twice', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  let spy: ChannelModel;
  const deliveries = new Map<string, number>();

  before(async () => {
    // The relay's test hook publishes each event twice, as a redelivery storm would.
    platform = await startTestPlatform({ relay: { RELAY_TEST_PUBLISH_TWICE: '1' } });
    api = await signedInClient(platform);
    spy = await amqp.connect(E2E_AMQP_URL);
    const channel = await spy.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
    await channel.consume(queue, (message) => {
      if (message) deliveries.set(String(message.properties.messageId), (deliveries.get(String(message.properties.messageId)) ?? 0) + 1);
    }, { noAck: true });
  });
  after(async () => {
    await spy.close();
    await platform.stopAll();
  });

  it('when every event arrives twice, then the outcome is as if once: no double charge, no double stock movement, one notice each', async () => {
    const price = 1200;
    const stocked = await api.createProduct({ stock: 10, priceMinor: price });
    const empty = await api.createProduct({ stock: 0 });
    const paid = await Promise.all(Array.from({ length: 4 }, () => api.placeOrder(stocked, { quantity: 1 })));
    const declined = await Promise.all(Array.from({ length: 2 }, () => api.placeOrder(stocked, { quantity: 1, cardToken: 'tok_chargeDeclined' })));
    const unavailable = await Promise.all(Array.from({ length: 2 }, () => api.placeOrder(empty, { quantity: 1 })));

    for (const id of paid) assert.equal((await api.finalOrder(id)).status, 'COMPLETED');
    for (const id of declined) assert.equal((await api.finalOrder(id)).cancellationReason, 'card_declined');
    for (const id of unavailable) assert.equal((await api.finalOrder(id)).cancellationReason, 'out_of_stock');
    const all = [...paid, ...declined, ...unavailable];
    await waitFor('a notice per order', async () => (await Promise.all(all.map((id) => api.notifications(id)))).every((notices) => notices.length >= 1));
    await sleep(1_000); // let any late duplicate land before counting

    assert.deepEqual(stockOf(await api.product(stocked)), { available: 6, reserved: 0, sold: 4 });
    assert.deepEqual(stockOf(await api.product(empty)), { available: 0, reserved: 0, sold: 0 });
    for (const id of paid) {
      assert.equal((await chargesFor(id)).length, 1, "charged exactly once in the gateway's books");
      assert.deepEqual((await api.ledgerEntries(id)).map((entry) => entry.kind), ['charge']);
    }
    for (const id of all) assert.equal((await api.notifications(id)).length, 1);
    const trial = await api.trialBalance();
    assert.equal(trial.balanced, true);
    assert.equal(trial.currencies[0]?.debitsMinor, 4 * price);

    assert.ok(deliveries.size > all.length * 3, `events were seen (${deliveries.size})`);
    const counts = new Set(deliveries.values());
    assert.deepEqual(counts, new Set([2]), 'every event really was published twice');
  });
});
