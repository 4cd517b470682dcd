import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { platformForSuite } from './support/test-platform.ts';
import { randomUUID } from 'node:crypto';

const id8 = () => randomUUID().slice(0, 8);
import { gatewayClient } from './support/api.ts';
import { createMerchant } from './support/sessions.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';
import { sleep, waitFor } from '../../shared/test/support/wait.ts';

const PORTS = { merchant: 18190, flaky: 18191, dead: 18192, slow: 18193, fast: 18194 };
const ALL_TYPES = ['order.completed', 'order.cancelled', 'payment.succeeded', 'payment.failed', 'payment.refunded'];

describe('merchant webhooks (Standard Webhooks)', () => {
  // Receivers on loopback are allowed by name only; a day of retries is compressed into seconds.
  const suite = platformForSuite({
    notification: {
      WEBHOOK_ALLOWED_TARGETS: Object.values(PORTS).map((port) => `127.0.0.1:${port}`).join(','),
      WEBHOOK_RETRY_SCHEDULE_MS: '300,600,900',
      WEBHOOK_GIVE_UP_AFTER_MS: '3000',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_SEND_INTERVAL_MS: '100',
    },
  });
  const receivers: Receiver[] = [];
  after(async () => Promise.all(receivers.map((receiver) => receiver.close())));

  const register = async (merchantToken: string | undefined, port: number, eventTypes = ALL_TYPES, alertEmail?: string) => {
    const answer = await fetch(`${suite.platform.url('gateway')}/merchants/me/webhook-endpoints`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${merchantToken}` }, body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks`, eventTypes, ...(alertEmail ? { alertEmail } : {}) }) });
    assert.equal(answer.status, 201, await answer.clone().text());
    return (await answer.json()) as { id: string; secret: string };
  };
  const otherMerchant = async () => {
    const merchant = await createMerchant(suite.platform.url('gateway'), suite.api.sessions!.admin);
    return { merchant, api: gatewayClient(suite.platform.url('gateway'), { ...suite.api.sessions!, merchant: merchant.accessToken, merchantId: merchant.id }) };
  };
  const verifiedTypes = (receiver: Receiver, secret: string) =>
    receiver.received.map((request) => (new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: { orderId: string } }));

  it("when a merchant's orders end, then its endpoint receives a verifiable event for each outcome, and none for another merchant's orders", async () => {
    const receiver = await startReceiver(PORTS.merchant);
    receivers.push(receiver);
    const { secret } = await register(suite.api.sessions!.merchant, PORTS.merchant);
    const productId = await suite.api.createProduct({ stock: 5, priceMinor: 900 });
    const paid = await suite.api.placeOrder(productId);
    const declined = await suite.api.placeOrder(productId, { cardToken: 'tok_chargeDeclined' });
    await suite.api.finalOrder(paid);
    await suite.api.finalOrder(declined);
    assert.equal((await suite.api.request('POST', `/payments/${paid}/refunds`, { amountMinor: 100, reason: 'goodwill' }, {}, 'merchant')).status, 201);
    const other = await otherMerchant();
    const othersOrder = await other.api.placeOrder(await other.api.createProduct({ stock: 2 }));
    await other.api.finalOrder(othersOrder);

    const events = await waitFor('five events', async () => (receiver.received.length >= 5 ? verifiedTypes(receiver, secret) : undefined));
    await sleep(500); // anything more would arrive now
    const byOrder = (orderId: string) => verifiedTypes(receiver, secret).filter((event) => event.data.orderId === orderId).map((event) => event.type).sort();
    assert.deepEqual(byOrder(paid), ['order.completed', 'payment.refunded', 'payment.succeeded']);
    assert.deepEqual(byOrder(declined), ['order.cancelled', 'payment.failed']);
    assert.equal(events.length, 5);
    assert.ok(!receiver.received.some((request) => request.body.includes(othersOrder)), "nothing about another merchant's order");
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(receiver.received[0]!.body, receiver.received[0]!.headers as Record<string, string>), 'another secret does not verify');
  });

  it('when an endpoint fails its first attempts, then the event arrives later with the same webhook-id, and the delivery log shows every attempt', async () => {
    const { merchant, api } = await otherMerchant();
    const receiver = await startReceiver(PORTS.flaky, (n) => ({ status: n <= 2 || n === 4 ? 500 : 200 }));
    receivers.push(receiver);
    const { id } = await register(merchant.accessToken, PORTS.flaky, ['order.completed']);
    await api.finalOrder(await api.placeOrder(await api.createProduct({ stock: 2 })));
    await waitFor('the third attempt', async () => receiver.received.length === 3);
    assert.equal(new Set(receiver.received.map((request) => request.headers['webhook-id'])).size, 1, 'one webhook-id on every attempt');
    const log = await waitFor('the delivery logged as delivered', async () => {
      const answer = await api.request<{ deliveries: Array<{ id: string; status: string; attempts: Array<{ statusCode: number | null; latencyMs: number }> }> }>('GET', `/merchants/me/webhook-endpoints/${id}/deliveries`, undefined, {}, 'merchant');
      return answer.body.deliveries[0]?.status === 'DELIVERED' ? answer.body.deliveries[0] : undefined;
    });
    assert.deepEqual(log.attempts.map((attempt) => attempt.statusCode), [500, 500, 200]);

    // A resend after the retry window (3 s here) is one try: its failure does not give the endpoint up.
    await sleep(3_200);
    const resend = () => api.request('POST', `/merchants/me/webhook-endpoints/${id}/deliveries/${log.id}/resend`, {}, {}, 'merchant');
    assert.equal((await resend()).status, 202);
    await waitFor('the resend tried', async () => receiver.received.length === 4);
    const endpoints = async () => (await api.request<{ endpoints: Array<{ id: string; status: string }> }>('GET', '/merchants/me/webhook-endpoints', undefined, {}, 'merchant')).body.endpoints;
    await waitFor('the failed resend recorded', async () => {
      const answer = await api.request<{ deliveries: Array<{ status: string }> }>('GET', `/merchants/me/webhook-endpoints/${id}/deliveries`, undefined, {}, 'merchant');
      return answer.body.deliveries[0]?.status === 'FAILED';
    });
    assert.equal((await endpoints()).find((endpoint) => endpoint.id === id)?.status, 'ACTIVE');
    assert.equal((await resend()).status, 202);
    await waitFor('the second resend delivered', async () => receiver.received.length === 5);
  });

  it('when an endpoint is down for the whole window, then it ends disabled, with the reason for the merchant, who is told by e-mail once', async () => {
    const dead = await otherMerchant();
    const deadReceiver = await startReceiver(PORTS.dead, () => ({ status: 503 }));
    receivers.push(deadReceiver);
    const alertEmail = `ops-${id8()}@merchant.example`;
    const { id } = await register(dead.merchant.accessToken, PORTS.dead, ['order.completed'], alertEmail);
    await dead.api.finalOrder(await dead.api.placeOrder(await dead.api.createProduct({ stock: 2 })));
    const disabled = await waitFor('the dead endpoint disabled', async () => {
      const answer = await dead.api.request<{ endpoints: Array<{ id: string; status: string; disabledReason: string | null }> }>('GET', '/merchants/me/webhook-endpoints', undefined, {}, 'merchant');
      const endpoint = answer.body.endpoints.find((candidate) => candidate.id === id);
      return endpoint?.status === 'DISABLED' ? endpoint : undefined;
    });
    assert.match(disabled.disabledReason ?? '', /failed/);
    assert.ok(deadReceiver.received.length >= 2, 'it was retried before being given up');
    const mails = await waitFor('the merchant told', async () => {
      const found = ((await (await fetch(`${suite.platform.url('smtp')}/messages`)).json()) as Array<{ to: string[]; subject: string; text: string }>).filter((mail) => mail.to.includes(alertEmail));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(mails.map((mail) => mail.subject), ['Your webhook endpoint was disabled']);
    assert.match(mails[0]!.text, new RegExp(id));
  });

  it("when one merchant's endpoint hangs, then another merchant's events are still delivered meanwhile", async () => {
    const slow = await otherMerchant();
    const slowReceiver = await startReceiver(PORTS.slow, () => ({ status: 200, delayMs: 600_000 })); // never answers in time
    receivers.push(slowReceiver);
    await register(slow.merchant.accessToken, PORTS.slow, ['order.completed']);
    const fast = await otherMerchant();
    const fastReceiver = await startReceiver(PORTS.fast);
    receivers.push(fastReceiver);
    await register(fast.merchant.accessToken, PORTS.fast, ['order.completed']);

    await slow.api.finalOrder(await slow.api.placeOrder(await slow.api.createProduct({ stock: 2 })));
    await waitFor('the slow endpoint to be holding a request', async () => slowReceiver.open > 0);
    await fast.api.finalOrder(await fast.api.placeOrder(await fast.api.createProduct({ stock: 2 })));
    await waitFor("the other merchant's event", async () => fastReceiver.received.length === 1);
    assert.ok(slowReceiver.open > 0, 'delivered while the slow endpoint still holds its request');
  });

  it('when a registration points at loopback, link-local metadata or a private network, then it is refused', async () => {
    for (const url of ['http://127.0.0.1:9/hooks', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/hooks', 'http://localhost:8080/x', 'http://[::1]/x', 'ftp://example.com/x']) {
      const answer = await suite.api.request<{ detail: string }>('POST', '/merchants/me/webhook-endpoints', { url, eventTypes: ['order.completed'] }, {}, 'merchant');
      assert.equal(answer.status, 400, url);
      assert.match(answer.body.detail, /url:/, url);
    }
  });
});
