/**
 * The operations console in a real browser (Debian's Chromium through playwright-core): an admin
 * finds orders and reads their sagas, replays a dead letter, watches the outbox lag; every section
 * is checked for accessibility. The door over plain HTTP: console-door.test.ts. Screenshots:
 * test/e2e/.artifacts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { platformForSuite } from './support/test-platform.ts';
import { registerCustomer } from './support/sessions.ts';
import { accessibilityViolations, launchBrowser, screenshot, signInToConsole } from './support/browser.ts';
import { putEventInPaymentDlq } from './support/dead-letters.ts';
import { query } from './support/forge.ts';
import { cookieOf, drawnSaga, openOrder, searchOrders, settledTimeline } from './support/console-page.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

describe('the operations console', () => {
  // The ledger retries slowly here, so the test can fail a step on purpose and mend it in time.
  const suite = platformForSuite({ ledger: { RETRY_DELAYS_MS: '1000,2000,4000' } });
  const gateway = () => suite.platform.url('gateway');

  describe('in a browser', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await launchBrowser();
    });
    after(async () => browser?.close());
    const adminPage = async () => {
      page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
      await signInToConsole(page, gateway(), suite.platform.secrets.adminEmail, suite.platform.secrets.adminPassword);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      return page;
    };

    it("when a customer's credentials are used in the browser, then the console stays shut", async () => {
      const customer = await registerCustomer(gateway());
      const shut = await (await browser.newContext()).newPage();
      await signInToConsole(shut, gateway(), customer.email, customer.password);
      assert.equal(new URL(shut.url()).pathname, '/console/login');
      assert.match(await shut.getByRole('alert').innerText(), /for administrators/);
      await shut.goto(`${gateway()}/console`);
      assert.equal(new URL(shut.url()).pathname, '/console/login', 'no session: sent back to sign in');
      await shut.context().close();
    });

    it('when an admin finds a completed and a cancelled-after-payment order by id, then each swimlane shows every event in order with its service and cause, the refund beside the cancelled one', async () => {
      const productId = await suite.api.createProduct({ stock: 4, priceMinor: 1250, holdSeconds: 1 });
      const key = `console-${Date.now()}`;
      const completed = await suite.api.placeOrder(productId, { key });
      const cancelled = await suite.api.placeOrder(productId, { cardToken: 'tok_visa_slow' });
      assert.equal((await suite.api.finalOrder(completed)).status, 'COMPLETED');
      assert.equal((await suite.api.finalOrder(cancelled)).cancellationReason, 'reservation_expired');
      const admin = await adminPage();

      const completedEvents = await settledTimeline(suite.api, completed, 'order.completed.v1');
      await openOrder(admin, completed);
      assert.deepEqual(await drawnSaga(admin), completedEvents.map((event) => [event.type, event.service, event.causedBy]));
      assert.equal(await admin.locator('.status').getAttribute('data-status'), 'COMPLETED');
      for (const type of ['order.placed.v1', 'inventory.reserved.v1', 'payment.succeeded.v1', 'order.completed.v1']) assert.ok(completedEvents.some((event) => event.type === type), type);
      assert.equal(await admin.locator('svg.arrows line').count(), completedEvents.filter((event) => event.causedBy).length, 'an arrow from each cause');
      await screenshot(admin, 'console-saga-completed');

      const cancelledEvents = await settledTimeline(suite.api, cancelled, 'payment.refunded.v1');
      await openOrder(admin, cancelled);
      assert.deepEqual(await drawnSaga(admin), cancelledEvents.map((event) => [event.type, event.service, event.causedBy]));
      const types = cancelledEvents.map((event) => event.type);
      // The hold ran out while the card was charged: cancelled, then the late charge refunded.
      assert.ok(types.includes('order.cancelled.v1') && types.includes('payment.succeeded.v1') && types.indexOf('payment.succeeded.v1') < types.indexOf('payment.refunded.v1'), types.join(' → '));
      assert.match(await admin.locator('.money .payments li[data-type="payment.refunded.v1"]').innerText(), /refunded 12\.50 EUR/);
      await admin.locator('.money .transfers li[data-kind="refund"]').waitFor();
      await screenshot(admin, 'console-saga-cancelled-refunded');

      // Found by the customer's idempotency key and by the customer; a customer may not search.
      const found = async (by: string, value: string) => (await searchOrders(admin, by, value)).getByRole('link').allInnerTexts();
      assert.deepEqual(await found('idempotencyKey', key), [completed]);
      const customers = await found('customer', suite.api.sessions!.customerId);
      assert.ok(customers.includes(completed) && customers.includes(cancelled), customers.join(', '));
      const customerSearch = await suite.api.request('GET', `/orders?merchantId=${suite.api.sessions!.customerId}`, undefined, {}, 'customer');
      assert.equal(customerSearch.status, 403);
    });

    it('when the ledger fails a step at first and applies it on a retry, then the swimlane marks that step retried, with the attempt that worked', async () => {
      const productId = await suite.api.createProduct({ stock: 2, priceMinor: 700 });
      const failedBefore = suite.platform.logs.filter((line) => line.includes('retrying later')).length;
      // A real failure inside the ledger's write of the charge: its postings' table is briefly not
      // there (only the charge writes postings; a card order's inventory.committed does not touch it).
      await query('ledger', 'ALTER TABLE ledger_posting RENAME TO ledger_posting_away');
      let orderId: string;
      try {
        orderId = await suite.api.placeOrder(productId);
        await waitFor('a ledger delivery failed', async () => suite.platform.logs.filter((line) => line.includes('retrying later')).length > failedBefore);
      } finally {
        await query('ledger', 'ALTER TABLE ledger_posting_away RENAME TO ledger_posting');
      }
      await waitFor('the charge journaled on a retry', async () => (await suite.api.ledgerEntries(orderId)).length === 1);
      await settledTimeline(suite.api, orderId, 'order.completed.v1');
      const admin = await adminPage();
      await openOrder(admin, orderId);
      const retried = admin.locator('ol.events > li.retried');
      assert.equal(await retried.count(), 1, 'one step was retried');
      assert.equal(await retried.getAttribute('data-type'), 'payment.succeeded.v1');
      assert.match((await retried.getAttribute('data-retried')) ?? '', /^ledger applied it on attempt [2-4]$/);
      await screenshot(admin, 'console-saga-retried');
    });

    it('when a message is in a DLQ, then the page shows it with its reason; a replay without the CSRF token changes nothing; replayed from the page it is processed once and the audit log names the admin', async () => {
      const { orderId, messageId, fileIntent } = await putEventInPaymentDlq(suite.platform, suite.api);
      const admin = await adminPage();
      await admin.getByRole('link', { name: 'Dead letters' }).click();
      await admin.getByLabel('Subject (order id)').fill(orderId);
      await admin.getByRole('button', { name: 'Apply' }).click();
      const row = admin.locator(`section.dlq[data-service="payment"] tr[data-message-id="${messageId}"]`);
      await row.waitFor();
      assert.match(await row.locator('td.reason').innerText(), /no payment intent|intent/i);

      const cookie = await cookieOf(admin);
      const forged = await fetch(`${gateway()}/console/api/dlq/payment/replay`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ messageIds: [messageId], dryRun: false }) });
      assert.equal(forged.status, 403, 'no CSRF token');
      await admin.getByRole('button', { name: 'Apply' }).click();
      await row.waitFor();

      await fileIntent(); // what the message was waiting for
      await row.getByRole('checkbox').check();
      await admin.locator('section.dlq[data-service="payment"]').getByRole('button', { name: /Replay selected \(1\)/ }).click();
      const dialog = admin.getByRole('dialog');
      assert.match(await dialog.getByRole('heading').innerText(), /Replay 1 message from payment\.dlq/);
      assert.match(await dialog.innerText(), new RegExp(messageId));
      await dialog.getByRole('button', { name: 'Confirm replay' }).click();
      assert.match(await admin.getByRole('status').innerText(), /Replayed 1 message from payment\.dlq/);
      await row.waitFor({ state: 'detached' });

      const payment = await waitFor('the replayed event charged', async () => {
        const answer = await suite.api.request<{ gatewayOperations: Array<{ kind: string; outcome: string }> }>('GET', `/payments/${orderId}`, undefined, {}, 'admin');
        return answer.status === 200 && answer.body.gatewayOperations.length > 0 ? answer.body : undefined;
      });
      assert.deepEqual(payment.gatewayOperations.filter((operation) => operation.kind === 'charge').map((operation) => operation.outcome), ['succeeded'], 'charged once');

      const { sub } = (await (await fetch(`${gateway()}/console/api/session`, { headers: { cookie } })).json()) as { sub: string };
      await admin.getByRole('link', { name: 'Audit log' }).click();
      const replayed = admin.locator('tr[data-action="dlq.replay"]').first();
      await replayed.waitFor();
      assert.equal(await replayed.locator('td').nth(2).innerText(), `admin:${sub}`);
      assert.match(await replayed.innerText(), new RegExp(messageId));
      await screenshot(admin, 'console-audit-replay');
    });

    it('when every section is checked with axe-core, then none breaks a WCAG 2.1 AA rule; and an order is found with the keyboard alone', async () => {
      const productId = await suite.api.createProduct({ stock: 2 });
      const orderId = await suite.api.placeOrder(productId);
      await suite.api.finalOrder(orderId);
      const run = await suite.api.request<{ reportId: string }>('POST', '/admin/reconciliation/runs', {}, {}, 'admin');
      assert.equal(run.status, 201, JSON.stringify(run.body));
      const admin = await adminPage();
      for (const [hash, ready] of [['#/overview', 'table.services tbody tr'], ['#/dlq', 'section.dlq'], ['#/reconciliation', 'table[aria-label="Mismatches"] tbody tr'], ['#/audit', 'table tbody tr'], [`#/orders/${orderId}`, 'ol.events > li']] as const) {
        await admin.goto(`${gateway()}/console${hash}`);
        await admin.locator(ready).first().waitFor();
        assert.deepEqual(await accessibilityViolations(admin), [], hash);
      }
      // Keyboard only: a section's heading takes the focus; Tab reaches the form; Enter searches.
      await admin.goto(`${gateway()}/console#/orders`);
      await admin.getByRole('heading', { name: 'Orders' }).waitFor();
      await waitFor('the heading focused', async () => admin.evaluate(() => document.activeElement?.tagName === 'H1'));
      await admin.keyboard.press('Tab');
      await admin.keyboard.press('Tab');
      await admin.keyboard.type(orderId);
      await admin.keyboard.press('Enter');
      await admin.locator(`table[data-search="id:${orderId}"]`).waitFor();
      assert.deepEqual(await accessibilityViolations(admin), [], 'the search results');
      await admin.keyboard.press('Tab');
      await admin.keyboard.press('Tab');
      assert.equal(await admin.evaluate(() => document.activeElement?.textContent), orderId, 'Tab reaches the order link');
      await admin.keyboard.press('Enter');
      await admin.locator('ol.events > li').first().waitFor();
    });

    it('when the relay stops, then the overview shows the outbox lag rising; when it returns, falling', async () => {
      const admin = await adminPage();
      const orderLag = async () => Number((await admin.locator('tr[data-service="order"] td[data-metric="outbox-lag"]').getAttribute('data-seconds')) || 'NaN');
      await waitFor('the overview drawn', async () => !Number.isNaN(await orderLag()));
      await suite.platform.stop('relay');
      try {
        await suite.api.placeOrder(await suite.api.createProduct({ stock: 1 }));
        await waitFor('the lag rising on the page', async () => (await orderLag()) >= 2, 20_000, 500);
        await screenshot(admin, 'console-overview-relay-stopped');
      } finally {
        suite.platform.start('relay');
      }
      await waitFor('the lag falling on the page', async () => (await orderLag()) === 0, 20_000, 500);
    });
  });
});
