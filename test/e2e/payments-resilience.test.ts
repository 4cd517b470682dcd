import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { stockOf } from './support/api.ts';
import { chargesFor, setGatewayKnobs } from './support/psp-books.ts';
import { query } from './support/forge.ts';
import { paymentIn } from './support/payments.ts';
import { sleep, waitFor } from '../../shared/test/support/wait.ts';

describe('payments when the gateway or payment itself fails', () => {
  const suite = platformForSuite();

  const circuit = async () => {
    const response = await fetch(`${suite.platform.url('payment')}/metrics`, { headers: { authorization: `Bearer ${suite.platform.secrets.metricsToken}` } });
    return /^payment_gateway_circuit_open\{[^}]*\} (\S+)$/m.exec(await response.text())?.[1];
  };
  /** Four orders whose charges the gateway has booked while holding back its answers for `latencyMs`. */
  const ordersChargedButUnanswered = async (latencyMs: number) => {
    const productId = await suite.api.createProduct({ stock: 10, priceMinor: 650, holdSeconds: 120 });
    await setGatewayKnobs(suite.platform, { latencyMs });
    const orders = await Promise.all(Array.from({ length: 4 }, () => suite.api.placeOrder(productId)));
    await waitFor('the charges to be made (their answers still on the way)', async () => (await chargesMadeFor(orders)) === orders.length);
    return orders;
  };
  const chargesMadeFor = async (orderIds: string[]) => (await query<{ n: number }>('psp', 'SELECT count(*)::int AS n FROM charge WHERE idempotency_key = ANY($1)', [orderIds.map((id) => `charge:${id}`)]))[0]!.n;

  it('when the gateway keeps failing, then the circuit opens and payments wait; when it recovers, the circuit closes and every order completes, charged once', async () => {
    const productId = await suite.api.createProduct({ stock: 10, priceMinor: 600, holdSeconds: 120 });
    await setGatewayKnobs(suite.platform, { failureRate: 1 });
    const orders = await Promise.all(Array.from({ length: 5 }, () => suite.api.placeOrder(productId)));
    await waitFor('the circuit to open', async () => (await circuit()) === '1');
    const waiting = await Promise.all(orders.map((id) => suite.api.payment(id)));
    assert.ok(waiting.every((payment) => payment.body.status === 'INITIATED'), 'payments wait instead of failing the orders');
    await waitFor('a call refused by the open circuit without reaching the gateway', async () => {
      const payments = await Promise.all(orders.map((id) => suite.api.payment(id)));
      return payments.some((payment) => payment.body.gatewayOperations.some((operation) => /BrokenCircuitError/.test(operation.reference ?? '')));
    });
    for (const id of orders) assert.equal((await suite.api.order(id)).status, 'INVENTORY_RESERVED');

    await setGatewayKnobs(suite.platform, { failureRate: 0 });
    for (const id of orders) assert.equal((await suite.api.finalOrder(id, 90_000)).status, 'COMPLETED');
    assert.equal(await circuit(), '0', 'closed again');
    for (const id of orders) assert.equal((await chargesFor(id)).length, 1);
    assert.deepEqual(stockOf(await suite.api.product(productId)), { available: 5, reserved: 0, sold: 5 });
  });

  it('when the gateway is killed mid-charge and restarted, then nothing is lost and nothing charged twice', async () => {
    const orders = await ordersChargedButUnanswered(3_000);
    await suite.platform.stop('psp', 'SIGKILL');
    await sleep(1_000);
    suite.platform.start('psp');
    for (const id of orders) assert.equal((await suite.api.finalOrder(id, 90_000)).status, 'COMPLETED');
    for (const id of orders) assert.equal((await chargesFor(id)).length, 1, `order ${id} charged once`);
  });

  it('when payment is killed between the gateway call and its commit, then the sweeper asks the gateway and records the charge, never charging again', async () => {
    const orders = await ordersChargedButUnanswered(2_000);
    await suite.platform.stop('payment', 'SIGKILL');
    assert.ok((await Promise.all(orders.map((id) => suite.api.order(id)))).every((order) => order.status === 'INVENTORY_RESERVED'), 'killed before recording any answer');
    await setGatewayKnobs(suite.platform, { latencyMs: 0 });
    suite.platform.start('payment');
    for (const id of orders) assert.equal((await suite.api.finalOrder(id, 90_000)).status, 'COMPLETED');
    for (const id of orders) {
      assert.equal((await chargesFor(id)).length, 1, `order ${id} charged once`);
      const payment = await paymentIn(suite.api, id, ['SUCCEEDED']);
      assert.equal(payment.gatewayOperations.at(-1)?.kind, 'lookup', 'resolved by asking, not by charging');
    }
  });
});
