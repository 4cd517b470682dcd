import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

const ORDERS = 200;
const STOCK = 50;

describe('no oversell under concurrency', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    platform = await startTestPlatform();
    api = await signedInClient(platform);
  });
  after(async () => platform.stopAll());

  it('when 200 orders of one unit race for 50 in stock, then exactly 50 complete, 150 are cancelled, and stock never goes negative', async () => {
    const productId = await api.createProduct({ stock: STOCK, priceMinor: 700 });
    const seen: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const product = await api.product(productId);
        seen.push(product.available, product.reserved);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    const finals = [];
    try {
      const orderIds = await Promise.all(Array.from({ length: ORDERS }, () => api.placeOrder(productId)));
      // One poller, order after order: 200 concurrent pollers would load the machine more than the saga does.
      for (const id of orderIds) finals.push(await api.finalOrder(id, 120_000));
    } finally {
      sampling = false;
      await sampler;
    }

    const completed = finals.filter((order) => order.status === 'COMPLETED').length;
    const cancelled = finals.filter((order) => order.status === 'CANCELLED');
    assert.equal(completed, STOCK);
    assert.equal(cancelled.length, ORDERS - STOCK);
    assert.ok(cancelled.every((order) => order.cancellationReason === 'out_of_stock'));
    assert.deepEqual(stockOf(await api.product(productId)), { available: 0, reserved: 0, sold: STOCK });
    assert.ok(seen.length > 0 && seen.every((count) => count >= 0), `a counter went negative: min ${Math.min(...seen)}`);

    const balance = await waitFor('all 50 charges journaled', async () => {
      const trial = await api.trialBalance();
      return trial.currencies[0]?.debitsMinor === STOCK * 700 ? trial : undefined;
    });
    assert.equal(balance.balanced, true);
  });
});
