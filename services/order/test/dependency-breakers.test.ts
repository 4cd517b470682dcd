import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { inventoryCatalog } from '../src/data-access/inventory-catalog.ts';
import { paymentIntents } from '../src/data-access/payment-intents.ts';
import { dependencyBreakers } from '../src/entry-points/order-metrics.ts';

async function gauge(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('order_dependency_circuit_open')!.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.dependency), value.value]));
}

describe("the order path's breakers on the metrics page", () => {
  it('when the catalogue keeps failing, then its breaker gauge reads open and answers are 503s at once, while the payment-intent breaker stays closed', async () => {
    const registry = new Registry();
    const breakers = dependencyBreakers(registry);
    let calls = 0;
    const down = (async () => {
      calls += 1;
      throw new Error('connect ECONNREFUSED');
    }) as never;
    const catalog = inventoryCatalog('http://inventory.invalid', down, breakers('catalogue'));
    paymentIntents('http://payment.invalid', down, breakers('payment_intents'));
    assert.deepEqual(await gauge(registry), { catalogue: 0, payment_intents: 0 });
    for (let n = 0; n < 10; n++) await assert.rejects(catalog.find(randomUUID()), /catalogue is unavailable/);
    assert.deepEqual(await gauge(registry), { catalogue: 1, payment_intents: 0 });
    const before = calls;
    await assert.rejects(catalog.find(randomUUID()), /catalogue is unavailable/);
    assert.equal(calls, before, 'an open breaker answers without calling');
  });
});
