import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import type { GatewayClient } from './support/api.ts';
import { forgetCachedResponse, forgetStoredResponse } from './support/stored-responses.ts';

describe('the public API contract', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  let productId: string;
  before(async () => {
    platform = await startTestPlatform();
    api = await signedInClient(platform);
    productId = await api.createProduct({ stock: 100 });
  });
  after(async () => platform.stopAll());

  const order = (overrides: Record<string, unknown> = {}) => ({ productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa', ...overrides });

  it('when input is bad, then the answer is a 4xx problem+json that says what is wrong', async () => {
    const key = { 'idempotency-key': randomUUID() };
    const cases: Array<[string, Awaited<ReturnType<GatewayClient['request']>>, number, RegExp]> = [
      ['no idempotency key', await api.request('POST', '/orders', order()), 400, /Idempotency-Key/],
      ['quantity 0', await api.request('POST', '/orders', order({ quantity: 0 }), key), 400, /quantity/],
      ['negative quantity', await api.request('POST', '/orders', order({ quantity: -2 }), key), 400, /quantity/],
      ['malformed JSON', await api.request('POST', '/orders', '{"productId": ', key), 400, /not valid JSON/],
      ['unknown product', await api.request('POST', '/orders', order({ productId: randomUUID() }), key), 422, /unknown product/],
      ['product id not a UUID', await api.request('POST', '/orders', order({ productId: 'abc' }), key), 400, /productId/],
      ['other payment method', await api.request('POST', '/orders', order({ paymentMethod: 'CASH' }), key), 400, /paymentMethod/],
      ['unknown order', await api.request('GET', `/orders/${randomUUID()}`), 404, /no order/],
      ['float price', await api.request('POST', '/products', { sku: 'x', name: 'x', priceMinor: 9.99, currency: 'EUR', stock: 1 }), 400, /priceMinor/],
      ['price whose largest order overflows', await api.request('POST', '/products', { sku: 'y', name: 'y', priceMinor: 2 ** 50, currency: 'EUR', stock: 1 }), 400, /price too large/],
      ['quantity over the cap', await api.request('POST', '/orders', order({ quantity: 10_001 }), key), 400, /quantity/],
      ['unknown route', await api.request('GET', '/nowhere'), 404, /no route/],
    ];
    for (const [what, answer, status, detail] of cases) {
      assert.equal(answer.status, status, what);
      assert.match(answer.type, /^application\/problem\+json/, what);
      assert.match(String((answer.body as { detail?: string }).detail), detail, what);
    }
  });

  it('when the same key comes with the same body, then it is the same order; with another body, 422', async () => {
    const key = { 'idempotency-key': randomUUID() };
    const first = await api.request<{ orderId: string }>('POST', '/orders', order({ quantity: 2 }), key);
    const again = await api.request<{ orderId: string }>('POST', '/orders', order({ quantity: 2 }), key);
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.body.orderId, first.body.orderId);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await api.request('POST', '/orders', order({ quantity: 3 }), key);
    assert.equal(other.status, 422);
    assert.match(other.type, /problem\+json/);
  });

  it('when Redis has forgotten a key\'s answer, then the database replays the first response exactly (it was recorded in the order\'s own statement)', async () => {
    const key = randomUUID();
    const first = await api.request('POST', '/orders', order({ quantity: 1 }), { 'idempotency-key': key });
    assert.equal(first.status, 202);
    await forgetCachedResponse(key);
    const again = await api.request('POST', '/orders', order({ quantity: 1 }), { 'idempotency-key': key });
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
  });

  it('when the stored response of a key is gone (past its lifetime), then the same key still answers with the first order and nothing more is sold', async () => {
    const product = await api.createProduct({ stock: 5 });
    const key = randomUUID();
    const first = await api.request<{ orderId: string }>('POST', '/orders', order({ productId: product }), { 'idempotency-key': key });
    assert.equal((await api.finalOrder(first.body.orderId)).status, 'COMPLETED');
    await forgetStoredResponse(key);
    const again = await api.request<{ orderId: string }>('POST', '/orders', order({ productId: product }), { 'idempotency-key': key });
    assert.equal(again.status, 202);
    assert.equal(again.body.orderId, first.body.orderId, "the key's own row found the first order");
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal((await api.product(product)).sold, 1);
  });

  it('when 20 requests with one key arrive at once, then exactly one order exists, the rest replayed or 409, and stock moves once', async () => {
    const product = await api.createProduct({ stock: 10 });
    const key = { 'idempotency-key': randomUUID() };
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.request<{ orderId: string }>('POST', '/orders', order({ productId: product, quantity: 2 }), key)));
    // The first request's response, replayed, or a 409 while it was still in flight.
    assert.ok(answers.every((answer) => answer.status === 202 || answer.status === 409), answers.map((answer) => answer.status).join(','));
    const ids = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId));
    assert.equal(ids.size, 1);
    assert.equal((await api.finalOrder([...ids][0]!)).status, 'COMPLETED');
    assert.equal((await api.product(product)).sold, 2);
  });

  it('when the direct reservation API is called twice for one order, then it holds stock once and releases it once', async () => {
    const product = await api.createProduct({ stock: 5 });
    const orderId = randomUUID();
    const first = await api.request<{ id: string; status: string }>('POST', '/inventory/reserve', { orderId, productId: product, quantity: 2 });
    const second = await api.request<{ id: string }>('POST', '/inventory/reserve', { orderId, productId: product, quantity: 2 });
    assert.equal(first.status, 201);
    assert.equal(second.body.id, first.body.id);
    assert.equal((await api.product(product)).available, 3);
    const released = await api.request<{ status: string }>('POST', '/inventory/release', { orderId });
    await api.request('POST', '/inventory/release', { orderId });
    assert.equal(released.body.status, 'RELEASED');
    assert.equal((await api.product(product)).available, 5);
    assert.equal((await api.request('POST', '/inventory/reserve', { orderId: randomUUID(), productId: product, quantity: 6 })).status, 409);
  });

  it('when orders have gone through, then each service exposes Prometheus metrics of its messages and requests', async () => {
    const orderId = await api.placeOrder(productId);
    await api.finalOrder(orderId);
    const scarce = await api.createProduct({ stock: 1 });
    assert.equal((await api.finalOrder(await api.placeOrder(scarce, { quantity: 2 }))).cancellationReason, 'out_of_stock');
    assert.equal((await fetch(`${platform.url('order')}/metrics`)).status, 401, 'not without the scraper token');
    const text = await (await fetch(`${platform.url('order')}/metrics`, { headers: { authorization: `Bearer ${platform.secrets.metricsToken}` } })).text();
    const applied = text.match(/^messages_handled_total\{[^}]*event_type="inventory\.committed\.v1"[^}]*outcome="applied"[^}]*\} (\d+)/m);
    assert.ok(applied && Number(applied[1]) >= 1, 'inventory.committed counted as applied');
    assert.match(text, /^http_request_duration_seconds_count\{[^}]*route="\/orders"[^}]*\} \d+/m);
    assert.doesNotMatch(text, new RegExp(orderId), 'no per-order series');
    // What an alert watches: the service's queue, retry queues, DLQ and events.unrouted, asked of the broker.
    for (const queue of ['order', 'order.dlq', 'order.retry.200ms', 'events.unrouted']) {
      assert.match(text, new RegExp(`^queue_messages\\{[^}]*queue="${queue.replace(/\./g, '\\.')}"[^}]*\\} \\d+`, 'm'), `queue_messages for ${queue}`);
    }
    assert.match(text, /^outbox_unpublished_events\{[^}]*\} \d+/m, 'its outbox lag');
    const finished = (outcome: string, reason: string) => Number(new RegExp(`^orders_finished_total\\{[^}]*outcome="${outcome}"[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    assert.ok(finished('completed', 'none') >= 1, 'completed orders counted');
    assert.ok(finished('cancelled', 'out_of_stock') >= 1, 'cancelled orders counted by reason');
    const payments = await (await fetch(`${platform.url('payment')}/metrics`, { headers: { authorization: `Bearer ${platform.secrets.metricsToken}` } })).text();
    const converted = /^payments_finished_total\{[^}]*kind="ORDER"[^}]*method="CARD"[^}]*outcome="succeeded"[^}]*\} (\d+)/m.exec(payments);
    assert.ok(converted && Number(converted[1]) >= 1, 'card payments counted by outcome');
    assert.match(text, /^outbox_oldest_unpublished_seconds\{[^}]*\} [\d.e-]+/m);
    assert.equal((await api.request('GET', '/metrics')).status, 404, 'not exposed through the gateway');
  });

  it('when orders have gone through, then the gateway and the relay expose their metrics on ports of their own, to the scraper only', async () => {
    await api.finalOrder(await api.placeOrder(productId));
    const scrape = (name: 'gateway' | 'relay', token?: string) => fetch(`http://127.0.0.1:${platform.metricsPortOf(name)}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    for (const name of ['gateway', 'relay'] as const) {
      assert.equal((await scrape(name)).status, 401, `${name}: not without the scraper token`);
      assert.equal((await fetch(`http://127.0.0.1:${platform.metricsPortOf(name)}/health`)).status, 200, `${name}: a probe`);
    }
    const gateway = await (await scrape('gateway', platform.secrets.metricsToken)).text();
    assert.match(gateway, /^http_request_duration_seconds_count\{[^}]*route="\/orders\/:id"[^}]*\} \d+/m, 'requests by route pattern');
    const relay = await (await scrape('relay', platform.secrets.metricsToken)).text();
    const published = relay.match(/^relay_events_published_total\{[^}]*database="[^"]*_order"[^}]*\} (\d+)/m);
    assert.ok(published && Number(published[1]) >= 1, 'events published from the order database');
    assert.match(relay, /^outbox_oldest_unpublished_seconds\{[^}]*database="[^"]*_payment"[^}]*\} [\d.e-]+/m, 'outbox lag per database');
  });

  it('when input carries control characters, the wrong media type or an unsupported method, then it is a clear 4xx problem and nothing is written', async () => {
    const sku = `CTRL-${randomUUID()}`;
    const control = await api.request('POST', '/products', { sku, name: 'bad\u0000name', priceMinor: 100, currency: 'EUR', stock: 1 });
    assert.equal(control.status, 400);
    assert.match(String((control.body as { detail?: string }).detail), /control characters/);
    const text = await api.request('POST', '/orders', 'productId=x', { 'content-type': 'text/plain', 'idempotency-key': randomUUID() });
    assert.equal(text.status, 415);
    assert.match(text.type, /problem\+json/);
    const wrongMethod = await api.request('DELETE', `/orders/${randomUUID()}`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET');
    assert.match(wrongMethod.type, /problem\+json/);
  });

  it('when a client keeps a connection idle for longer than the 5 s Node closes idle sockets after by default, then its next request on that connection is answered', async () => {
    // A request sent while the server closes the idle socket fails with ECONNRESET before it
    // reaches the gateway: clients and load balancers reuse idle connections for up to a minute.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1_000 });
    const health = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const request = http.get(`${platform.url('gateway')}/health`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    try {
      assert.deepEqual(await health(), { status: 200, reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      assert.deepEqual(await health(), { status: 200, reused: true }, 'the idle connection is still open after 6 s');
    } finally {
      agent.destroy();
    }
  });

  it('when a client sends a correlation id, then a short plain one is kept and anything else replaced', async () => {
    const kept = await api.request('GET', `/products/${productId}`, undefined, { 'x-correlation-id': 'shop-42.a' });
    assert.equal(kept.headers.get('x-correlation-id'), 'shop-42.a');
    const replaced = await api.request('GET', `/products/${productId}`, undefined, { 'x-correlation-id': `${'x'.repeat(200)}` });
    assert.match(replaced.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('when anything is answered, then it carries the security headers; personal data is never cached; CORS only for configured origins', async () => {
    const mine = await api.request('GET', '/orders');
    assert.equal(mine.headers.get('x-content-type-options'), 'nosniff');
    assert.match(mine.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(mine.headers.get('cache-control'), 'no-store');
    const preflight = (origin: string) => fetch(`${platform.url('gateway')}/orders`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const allowed = await preflight('https://shop.example');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
    const other = await preflight('https://evil.example');
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const simple = await api.request('GET', `/products/${productId}`, undefined, { origin: 'https://evil.example' });
    assert.equal(simple.headers.get('access-control-allow-origin'), null);
  });
});
