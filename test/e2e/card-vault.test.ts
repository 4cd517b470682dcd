import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOG_EVERYTHING, signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import type { GatewayClient } from './support/api.ts';
import { registerCustomer } from './support/sessions.ts';
import { query } from './support/forge.ts';
import { DATABASES } from '../../scripts/platform.ts';

const nextYear = new Date().getUTCFullYear() + 1;

describe('the card vault', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    platform = await startTestPlatform(LOG_EVERYTHING);
    api = await signedInClient(platform);
  });
  after(async () => platform.stopAll());

  const addCard = (number: string, fields: Record<string, unknown> = {}) => api.request<{ cardToken: string; brand: string; last4: string }>('POST', '/payments/cards', { number, expMonth: 12, expYear: nextYear, cvc: '123', ...fields });

  it('when a customer adds a card, then it gets a token and the brand and last four digits, and bad cards are refused', async () => {
    const card = await addCard('4242424242424242');
    assert.equal(card.status, 201);
    assert.match(card.body.cardToken, /^card_/);
    assert.deepEqual([card.body.brand, card.body.last4], ['visa', '4242']);
    assert.ok(!JSON.stringify(card.body).includes('4242424242424242'), 'the number is never returned');
    const refused: Array<[string, Awaited<ReturnType<typeof addCard>>, RegExp]> = [
      ['Luhn', await addCard('4242424242424241'), /not a valid card number/],
      ['expired', await addCard('4242424242424242', { expMonth: 1, expYear: 2020 }), /expired/],
      ['cvc', await addCard('4242424242424242', { cvc: '12' }), /cvc/],
      ['letters', await addCard('4242abcd42424242'), /number/],
    ];
    for (const [what, answer, detail] of refused) {
      assert.equal(answer.status, 400, what);
      assert.match(String((answer.body as { detail?: string }).detail), detail, what);
    }
    assert.equal((await api.request('POST', '/payments/cards', { number: '4242424242424242', expMonth: 12, expYear: nextYear, cvc: '123' }, {}, 'merchant')).status, 403, 'only customers keep cards');
  });

  it('when orders are paid with vault cards, then each test number gives its outcome, and another customer cannot use the token', async () => {
    const productId = await api.createProduct({ stock: 10 });
    const cases: Array<[string, string, string | null]> = [
      ['4242424242424242', 'COMPLETED', null],
      ['4000000000000002', 'CANCELLED', 'card_declined'],
      ['4000000000009995', 'CANCELLED', 'insufficient_funds'],
      ['4000000000000119', 'COMPLETED', null],
      ['4000000000003220', 'COMPLETED', null],
    ];
    for (const [number, status, reason] of cases) {
      const { body } = await addCard(number);
      const orderId = await api.placeOrder(productId, { cardToken: body.cardToken });
      const order = await api.finalOrder(orderId);
      assert.deepEqual([order.status, order.cancellationReason], [status, reason], number);
      const shown = JSON.stringify((await api.payment(orderId)).body) + JSON.stringify(await api.timeline(orderId));
      assert.ok(!shown.includes(number) && shown.includes(`•••• ${number.slice(-4)}`), 'responses show the card masked, never its number');
    }
    const { body: mine } = await addCard('4242424242424242');
    const other = await registerCustomer(platform.url('gateway'));
    const stolen = await fetch(`${platform.url('gateway')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${other.accessToken}`, 'idempotency-key': 'stolen-card' },
      body: JSON.stringify({ productId, quantity: 1, paymentMethod: 'CARD', cardToken: mine.cardToken }),
    });
    assert.equal(stolen.status, 422, "another customer's card token is useless");
  });

  it('when every text column of every database and the logs are searched, then no card number is in plain text', async () => {
    const numbers = ['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000119', '4000000000003220'];
    // Every service database (outboxes, inboxes, payments, intents, gateway calls) and the gateway simulator's books.
    for (const service of DATABASES) {
      const columns = await query<{ table_name: string; column_name: string }>(service, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')");
      for (const { table_name: table, column_name: column } of columns) {
        const [hit] = await query<{ n: number }>(service, `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" ~ $1`, [numbers.join('|')]);
        assert.equal(hit!.n, 0, `${service}.${table}.${column}`);
      }
    }
    const logs = platform.logs.join('\n');
    for (const number of numbers) assert.ok(!logs.includes(number), 'a card number reached the logs');
    const [card] = await query<{ number_encrypted: string }>('payment', 'SELECT number_encrypted FROM card LIMIT 1');
    assert.match(card!.number_encrypted, /^enc1\.card1\./, 'under the vault’s own key');
  });
});
