import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformForSuite, type TestPlatform } from './support/test-platform.ts';
import { query } from './support/forge.ts';
import { paymentIn, vaultCard } from './support/payments.ts';

/** How many requests the payment service has answered on POST /payment-intents (its own metrics). */
async function intentsFiled(platform: TestPlatform): Promise<number> {
  const text = await (await fetch(`${platform.url('payment')}/metrics`, { headers: { authorization: `Bearer ${platform.secrets.metricsToken}` } })).text();
  const counts = text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count{') && line.includes('route="/payment-intents"'));
  return counts.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** The data of the event of `type` an order's saga wrote in `service`'s outbox. */
async function announced(service: string, orderId: string, type: string): Promise<{ text: string; data: { paymentChoiceSealed?: string | null } }> {
  const [row] = await query<{ envelope: string }>(service, 'SELECT envelope FROM outbox WHERE aggregate_id = $1 AND envelope::jsonb->>\'type\' = $2', [orderId, type]);
  assert.ok(row, `${service} announced ${type} for ${orderId}`);
  return { text: row.envelope, data: (JSON.parse(row.envelope) as { data: { paymentChoiceSealed?: string | null } }).data };
}

// How the customer pays travels sealed from the order service to the payment service in the
// saga's own events (order.placed, then inventory.reserved): no call from the order path, and
// neither the broker, inventory nor any outbox holds the token in clear. A saved card is still
// checked with payment before the order exists (card-vault.test.ts has its refusals).
describe('the payment choice in the saga', () => {
  const suite = platformForSuite();

  it('when a customer pays with a gateway token, then the choice travels sealed through order.placed and inventory.reserved, no intent is filed over HTTP, and the order completes with the token erased', async () => {
    const productId = await suite.api.createProduct({ stock: 3, priceMinor: 900 });
    const filedBefore = await intentsFiled(suite.platform);
    const orderId = await suite.api.placeOrder(productId, { cardToken: 'tok_visa' });
    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    const placed = await announced('order', orderId, 'order.placed.v1');
    const reserved = await announced('inventory', orderId, 'inventory.reserved.v1');
    assert.match(String(placed.data.paymentChoiceSealed), /^enc1\./);
    assert.equal(reserved.data.paymentChoiceSealed, placed.data.paymentChoiceSealed, 'inventory passes the seal on as it came');
    for (const { text } of [placed, reserved]) assert.ok(!text.includes('tok_visa'), 'no token in clear in an outbox');
    assert.equal(await intentsFiled(suite.platform), filedBefore, 'no intent filed over HTTP');
    const [intent] = await query<{ card_token_encrypted: string | null }>('payment', 'SELECT card_token_encrypted FROM payment_intent WHERE order_id = $1', [orderId]);
    assert.ok(intent, 'the payment service kept the intent it was given');
    assert.equal(intent.card_token_encrypted, null, 'and erased its token at the outcome');
  });

  it('when a customer pays with a saved card, then payment checks and files it first (one request), and the order completes through the same sealed choice', async () => {
    const productId = await suite.api.createProduct({ stock: 3, priceMinor: 900 });
    const cardToken = await vaultCard(suite.api, '4242424242424242');
    const filedBefore = await intentsFiled(suite.platform);
    const orderId = await suite.api.placeOrder(productId, { cardToken });
    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    assert.equal(await intentsFiled(suite.platform), filedBefore + 1);
    assert.equal((await paymentIn(suite.api, orderId, ['SUCCEEDED'])).method.summary, 'visa •••• 4242');
    assert.ok(!(await announced('order', orderId, 'order.placed.v1')).text.includes(cardToken), 'no saved-card token in clear either');
  });
});
