import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { stockOf } from './support/api.ts';
import { chargesFor } from './support/psp-books.ts';
import { query } from './support/forge.ts';
import { answerCollect, paymentIn, postGatewayEvent, vaultCard } from './support/payments.ts';

describe('payments through the outside gateway', () => {
  // Asynchronous cards confirm after 3 s here: long enough to see (and attack) the PENDING payment.
  const suite = platformForSuite({ psp: { PSP_ASYNC_DELAY_MS: '3000' } });

  const payWith = async (productId: string, number: string) => suite.api.placeOrder(productId, { cardToken: await vaultCard(suite.api, number) });

  it('when each test card pays, then it ends in its payment state and saga ending, the transient card retried into exactly one charge', async () => {
    const productId = await suite.api.createProduct({ stock: 10, priceMinor: 700 });
    const cases: Array<[string, string, string | null, string, number]> = [
      ['4242424242424242', 'COMPLETED', null, 'SUCCEEDED', 1],
      ['4000000000000002', 'CANCELLED', 'card_declined', 'FAILED', 1],
      ['4000000000009995', 'CANCELLED', 'insufficient_funds', 'FAILED', 1],
      ['4000000000000119', 'COMPLETED', null, 'SUCCEEDED', 1],
    ];
    for (const [number, orderStatus, reason, paymentStatus, charges] of cases) {
      const orderId = await payWith(productId, number);
      const order = await suite.api.finalOrder(orderId);
      assert.deepEqual([order.status, order.cancellationReason], [orderStatus, reason], number);
      const payment = await paymentIn(suite.api, orderId, [paymentStatus]);
      assert.equal(payment.method.summary, `visa •••• ${number.slice(-4)}`);
      assert.deepEqual(payment.history.map((change) => change.status), ['INITIATED', paymentStatus], number);
      assert.equal((await chargesFor(orderId)).length, charges, `${number}: charges in the gateway's books`);
    }
    const transient = await query<{ failures: number }>('psp', 'SELECT failures FROM transient_failure');
    assert.deepEqual(transient.map((row) => row.failures), [3], 'the transient card failed twice, the third call was charged');
    assert.deepEqual(stockOf(await suite.api.product(productId)), { available: 8, reserved: 0, sold: 2 });
  });

  it('when the gateway never answers a charge, then the call times out, is retried with the same key, and the sweeper finds the one charge', async () => {
    const productId = await suite.api.createProduct({ stock: 2, priceMinor: 1200 });
    const orderId = await payWith(productId, '4000000000000010');
    const order = await suite.api.finalOrder(orderId, 90_000);
    assert.equal(order.status, 'COMPLETED');
    const payment = await paymentIn(suite.api, orderId, ['SUCCEEDED']);
    const outcomes = payment.gatewayOperations.map((operation) => `${operation.kind}:${operation.outcome}`);
    assert.ok(outcomes.includes('charge:unavailable'), `the call timed out: ${outcomes.join(', ')}`);
    assert.equal(outcomes.at(-1), 'lookup:succeeded', 'resolved by asking the gateway by key');
    assert.ok(payment.gatewayOperations.every((operation) => operation.idempotencyKey === `charge:${orderId}`));
    assert.equal((await chargesFor(orderId)).length, 1, "one charge in the gateway's books");
  });

  it('when a card confirms asynchronously, then the payment is PENDING until the signed webhook, forged or stale webhooks change nothing, and duplicates apply once', async () => {
    const productId = await suite.api.createProduct({ stock: 3, priceMinor: 900 });
    const orderId = await payWith(productId, '4000000000003220');
    const pending = await paymentIn(suite.api, orderId, ['PENDING']);
    assert.equal((await suite.api.order(orderId)).status, 'INVENTORY_RESERVED');
    const forged = JSON.stringify({ id: 'evt_forged', type: 'charge.failed', data: { object: { id: pending.chargeId, idempotency_key: `charge:${orderId}`, status: 'failed', failure_code: 'card_declined' } } });
    const badSignature = await postGatewayEvent(suite.platform, forged, { secret: 'whsec_not-the-gateways-secret-at-all-0000' });
    const stale = await postGatewayEvent(suite.platform, forged, { at: Date.now() - 6 * 60_000 });
    const garbage = await postGatewayEvent(suite.platform, forged, { signature: 'v1=deadbeef' });
    assert.deepEqual([badSignature.status, stale.status, garbage.status], [400, 400, 400]);
    assert.match(stale.body.detail ?? '', /too-old/);
    assert.equal((await suite.api.payment(orderId)).body.status, 'PENDING', 'nothing changed');

    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    const [delivered] = await query<{ id: string; payload: string }>('psp', 'SELECT id, payload FROM webhook_event WHERE delivered_at IS NOT NULL AND payload LIKE $1', [`%charge:${orderId}%`]);
    assert.ok(delivered, 'the gateway delivered its webhook');
    const again = [await postGatewayEvent(suite.platform, delivered.payload), await postGatewayEvent(suite.platform, delivered.payload)];
    assert.deepEqual(again.map((answer) => [answer.status, answer.body.result]), [[200, 'duplicate'], [200, 'duplicate']]);
    const sameIdOtherStory = JSON.stringify({ ...JSON.parse(delivered.payload), data: { object: { id: pending.chargeId, idempotency_key: `charge:${orderId}`, status: 'failed', failure_code: 'card_declined' } } });
    assert.equal((await postGatewayEvent(suite.platform, sameIdOtherStory)).body.result, 'duplicate');
    const payment = (await suite.api.payment(orderId)).body;
    assert.deepEqual(payment.history.map((change) => change.status), ['INITIATED', 'PENDING', 'SUCCEEDED'], 'applied once');
    assert.equal((await chargesFor(orderId)).length, 1);
  });

  it('when a UPI collect request is approved, declined or left to expire, then each saga ends accordingly and stock is released where it should be', async () => {
    const productId = await suite.api.createProduct({ stock: 5, priceMinor: 400, holdSeconds: 8 });
    const collectOf = async (orderId: string) => (await paymentIn(suite.api, orderId, ['PENDING'])).chargeId!;
    const approved = await suite.api.placeOrder(productId, { upiVpa: 'ada.l@okbank' });
    const declined = await suite.api.placeOrder(productId, { upiVpa: 'grace@okbank' });
    const expiring = await suite.api.placeOrder(productId, { upiVpa: 'alan@okbank' });
    assert.equal(await answerCollect(suite.platform, await collectOf(approved), 'approve'), 200);
    assert.equal(await answerCollect(suite.platform, await collectOf(declined), 'decline'), 200);
    await collectOf(expiring);
    assert.deepEqual(await finalOf(approved), ['COMPLETED', null]);
    assert.deepEqual(await finalOf(declined), ['CANCELLED', 'payer_declined']);
    assert.deepEqual(await finalOf(expiring), ['CANCELLED', 'collect_expired']);
    const [expired] = await chargesFor(expiring);
    assert.equal(expired?.status, 'failed', 'the gateway expired the collect request itself, before the hold');
    assert.equal((await suite.api.payment(approved)).body.method.summary, 'upi a•••@okbank');
    assert.deepEqual(stockOf(await suite.api.product(productId)), { available: 4, reserved: 0, sold: 1 });
    const refused = await suite.api.request('POST', '/orders', { productId, quantity: 1, paymentMethod: 'UPI', upiVpa: 'not an address' }, { 'idempotency-key': 'bad-vpa' });
    assert.equal(refused.status, 400);
  });

  const finalOf = async (orderId: string) => {
    const order = await suite.api.finalOrder(orderId);
    return [order.status, order.cancellationReason];
  };
});
