import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformForSuite, type TestPlatform } from './support/test-platform.ts';
import { query } from './support/forge.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

interface Mail {
  messageId: string | null;
  to: string[];
  subject: string | null;
  text: string | null;
}

const mailbox = async (platform: TestPlatform, to: string): Promise<Mail[]> => ((await (await fetch(`${platform.url('smtp')}/messages`)).json()) as Mail[]).filter((mail) => mail.to.includes(to));
const sinkKnobs = async (platform: TestPlatform, knobs: { delayMs?: number; failNext?: number }) => void (await fetch(`${platform.url('smtp')}/knobs`, { method: 'PUT', body: JSON.stringify(knobs) })).body?.cancel();

describe('customer e-mail over SMTP', () => {
  // A short lease: a notice whose sender died is tried again after 4 s, not a minute.
  const suite = platformForSuite({ notification: { NOTICE_LEASE_MS: '4000' } });

  it('when an order completes and another is cancelled, then each delivers one e-mail, the reason in words; a merchant refund mails the customer too', async () => {
    const productId = await suite.api.createProduct({ stock: 5, priceMinor: 1250 });
    const paid = await suite.api.placeOrder(productId, { email: 'ada@example.com' });
    const declined = await suite.api.placeOrder(productId, { email: 'grace@example.com', cardToken: 'tok_chargeDeclined' });
    await suite.api.finalOrder(paid);
    await suite.api.finalOrder(declined);
    const [confirmed] = await waitFor('the confirmation', async () => ((await mailbox(suite.platform, 'ada@example.com')).length === 1 ? mailbox(suite.platform, 'ada@example.com') : undefined));
    assert.match(confirmed!.subject ?? '', new RegExp(`Order ${paid.slice(0, 8)} confirmed`));
    const [cancelled] = await waitFor('the cancellation', async () => ((await mailbox(suite.platform, 'grace@example.com')).length === 1 ? mailbox(suite.platform, 'grace@example.com') : undefined));
    assert.match(cancelled!.text ?? '', /your card was declined/);
    assert.equal(cancelled!.messageId?.endsWith('@notifications.platform.local>'), true);

    const refund = await suite.api.request('POST', `/payments/${paid}/refunds`, { amountMinor: 500, reason: 'late delivery' }, {}, 'merchant');
    assert.equal(refund.status, 201);
    const mails = await waitFor('the refund e-mail', async () => {
      const found = await mailbox(suite.platform, 'ada@example.com');
      return found.length === 2 ? found : undefined;
    });
    assert.match(mails[1]!.subject ?? '', /Refund of 5\.00 EUR/);
    // Sent first, recorded after (never inside a transaction): the mail can be in the box a moment before its row says SENT.
    const rows = await waitFor('both notices recorded as sent', async () => {
      const found = await query<{ template: string; status: string }>('notification', 'SELECT template, status FROM notification WHERE order_id = $1 ORDER BY created_at', [paid]);
      return found.every((row) => row.status === 'SENT') ? found : undefined;
    });
    assert.deepEqual(rows.map((row) => [row.template, row.status]), [['order-completed', 'SENT'], ['payment-refunded', 'SENT']]);
  });

  it('when the mail server refuses twice, then the notice is retried with backoff and delivered once, its attempts recorded', async () => {
    await sinkKnobs(suite.platform, { failNext: 2 });
    const productId = await suite.api.createProduct({ stock: 2 });
    const orderId = await suite.api.placeOrder(productId, { email: 'alan@example.com' });
    await suite.api.finalOrder(orderId);
    await waitFor('the e-mail after two refusals', async () => (await mailbox(suite.platform, 'alan@example.com')).length === 1);
    const [row] = await waitFor('the notice recorded SENT', async () => {
      const found = await query<{ status: string; attempts: number; last_error: string | null }>('notification', 'SELECT status, attempts, last_error FROM notification WHERE order_id = $1', [orderId]);
      return found[0]?.status === 'SENT' ? found : undefined;
    });
    assert.equal(row!.attempts, 3);
    assert.match(row!.last_error ?? '', /451/);
  });

  it('when notification is killed between sending and recording, then the e-mail is sent again at most once, under the same Message-ID', async () => {
    await sinkKnobs(suite.platform, { delayMs: 3_000 });
    const productId = await suite.api.createProduct({ stock: 2 });
    const orderId = await suite.api.placeOrder(productId, { email: 'edsger@example.com' });
    await waitFor('the sink to hold the message (its answer delayed)', async () => (await mailbox(suite.platform, 'edsger@example.com')).length === 1);
    await suite.platform.stop('notification', 'SIGKILL');
    await sinkKnobs(suite.platform, { delayMs: 0 });
    suite.platform.start('notification');
    await waitFor('the notice recorded SENT', async () => (await query<{ status: string }>('notification', 'SELECT status FROM notification WHERE order_id = $1', [orderId]))[0]?.status === 'SENT', 60_000);
    const mails = await mailbox(suite.platform, 'edsger@example.com');
    assert.ok(mails.length >= 1 && mails.length <= 2, `${mails.length} copies`);
    assert.equal(new Set(mails.map((mail) => mail.messageId)).size, 1, 'one Message-ID');
  });
});
