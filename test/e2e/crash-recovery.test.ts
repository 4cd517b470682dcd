import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';
import { sleep, waitFor } from '../../shared/test/support/wait.ts';
import { chargesFor } from './support/psp-books.ts';

describe('services killed mid-saga', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    platform = await startTestPlatform();
    api = await signedInClient(platform);
  });
  after(async () => platform.stopAll());

  it('when payment (mid-charge), inventory and the relay are SIGKILLed and restarted, then every saga finishes by itself, charged once', async () => {
    const productId = await api.createProduct({ stock: 10, priceMinor: 800 });
    // tok_visa_slow keeps each charge in flight for 2.5 s: the kill lands inside it.
    const orders = await Promise.all(Array.from({ length: 6 }, () => api.placeOrder(productId, { quantity: 1, cardToken: 'tok_visa_slow' })));
    await waitFor('every order to hold its stock', async () => (await Promise.all(orders.map((id) => api.order(id)))).every((order) => order.status === 'INVENTORY_RESERVED'));
    await sleep(500);

    await Promise.all([platform.stop('payment', 'SIGKILL'), platform.stop('inventory', 'SIGKILL'), platform.stop('relay', 'SIGKILL')]);
    assert.ok((await Promise.all(orders.map((id) => api.order(id)))).every((order) => order.status !== 'COMPLETED'), 'the kill landed mid-saga');
    await sleep(1_000);
    platform.start('inventory');
    platform.start('payment');
    platform.start('relay');

    for (const id of orders) assert.equal((await api.finalOrder(id, 90_000)).status, 'COMPLETED');
    assert.deepEqual(stockOf(await api.product(productId)), { available: 4, reserved: 0, sold: 6 });
    for (const id of orders) assert.equal((await chargesFor(id)).length, 1, `order ${id} charged exactly once in the gateway's books`);
    const trial = await waitFor('six charges journaled', async () => {
      const balance = await api.trialBalance();
      return balance.currencies[0]?.debitsMinor === 6 * 800 ? balance : undefined;
    });
    assert.equal(trial.balanced, true);
  });
});
