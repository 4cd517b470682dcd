import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signInternalRequest } from '../../shared/src/http/internal-auth.ts';
import { SERVICES } from '../../scripts/platform.ts';
import { LOG_EVERYTHING, signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { gatewayClient, type GatewayClient } from './support/api.ts';
import { createMerchant, login, registerCustomer } from './support/sessions.ts';
import { query } from './support/forge.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

/** A raw request, path sent exactly as written (no client-side normalisation). */
function raw(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: http.Agent; chunked?: boolean } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    if (options.body && options.chunked) {
      for (let offset = 0; offset < options.body.length; offset += 64 * 1024) request.write(options.body.subarray(offset, offset + 64 * 1024));
      request.end();
    } else request.end(options.body);
  });
}

describe('access control, the closed door and data at rest', () => {
  let platform: TestPlatform;
  let alice: GatewayClient;
  let aliceOrder: string;
  let aliceEmail: string;
  before(async () => {
    platform = await startTestPlatform(LOG_EVERYTHING);
    alice = await signedInClient(platform);
    aliceEmail = `alice-${randomUUID().slice(0, 6)}@example.com`;
    const productId = await alice.createProduct({ stock: 5 });
    aliceOrder = await alice.placeOrder(productId, { email: aliceEmail });
    await alice.finalOrder(aliceOrder);
    await waitFor('the notice', async () => (await alice.notifications(aliceOrder)).length === 1);
  });
  after(async () => platform.stopAll());

  it("when customer B asks for customer A's order, timeline, payment, entries or notices, then each is 404 and never shows A's e-mail", async () => {
    const gateway = platform.url('gateway');
    const bob = await registerCustomer(gateway);
    const asBob = gatewayClient(gateway, { ...alice.sessions!, customer: bob.accessToken, customerId: bob.id });
    for (const path of [`/orders/${aliceOrder}`, `/orders/${aliceOrder}/timeline`, `/payments/${aliceOrder}`, `/ledger/entries?orderId=${aliceOrder}`, `/notifications?orderId=${aliceOrder}`]) {
      const answer = await asBob.request('GET', path, undefined, {}, 'customer');
      assert.equal(answer.status, 404, path);
      assert.ok(!JSON.stringify(answer.body).includes(aliceEmail), `${path} shows no e-mail`);
      assert.equal((await alice.request('GET', path)).status, 200, `${path} is there for its owner`);
    }
    const bobsOrders = await asBob.request<{ orders: unknown[] }>('GET', '/orders');
    assert.deepEqual(bobsOrders.body.orders, [], 'B lists none of A’s orders');
    const alicesOrders = await alice.request<{ orders: Array<{ orderId: string }> }>('GET', '/orders');
    assert.deepEqual(alicesOrders.body.orders.map((order) => order.orderId), [aliceOrder]);
  });

  it('when a merchant or a customer steps outside its role, then it is refused', async () => {
    const gateway = platform.url('gateway');
    const otherMerchant = await createMerchant(gateway, alice.sessions!.admin);
    const asOther = gatewayClient(gateway, { ...alice.sessions!, merchant: otherMerchant.accessToken, merchantId: otherMerchant.id });
    assert.equal((await asOther.request('GET', `/orders/${aliceOrder}`, undefined, {}, 'merchant')).status, 404, "another merchant's order");
    assert.equal((await asOther.request('GET', `/payments/${aliceOrder}`, undefined, {}, 'merchant')).status, 404);
    assert.equal((await alice.request('GET', `/orders/${aliceOrder}`, undefined, {}, 'merchant')).status, 200, 'the selling merchant sees it');
    assert.equal((await asOther.request('POST', '/merchants', { name: 'x' }, {}, 'merchant')).status, 403, 'admin route');
    assert.equal((await asOther.request('GET', '/ledger/trial-balance', undefined, {}, 'merchant')).status, 403);
    assert.equal((await alice.request('POST', '/products', { sku: 'c', name: 'c', priceMinor: 1, currency: 'EUR', stock: 1 }, {}, 'customer')).status, 403, 'customers do not sell');
    for (const path of ['/inventory/reserve', '/inventory/release']) {
      assert.equal((await alice.request('POST', path, { orderId: randomUUID(), productId: randomUUID(), quantity: 1 }, {}, 'customer')).status, 403, path);
    }
    assert.equal((await alice.request('POST', '/orders', {}, { 'idempotency-key': 'k' }, 'merchant')).status, 403, 'merchants do not place orders');
  });

  it('when any service port is called directly, then without a valid, fresh, unused proof nothing is answered', async () => {
    const secret = platform.secrets.internalAuthSecret;
    const routes = ['/orders', `/orders/${aliceOrder}`, `/products/${randomUUID()}`, `/payments/${aliceOrder}`, '/ledger/trial-balance', `/notifications?orderId=${aliceOrder}`, '/auth/me', '/metrics', `/internal/events?subject=${aliceOrder}`, '/internal/audit'];
    for (const service of SERVICES) {
      for (const path of routes) {
        const bare = await raw(platform.url(service), path);
        assert.equal(bare.status, 401, `${service} ${path} without proof`);
        const wrong = await raw(platform.url(service), path, { headers: signInternalRequest('not-the-secret-but-long-enough-0123456789', 'gateway', { method: 'GET', path }) });
        assert.equal(wrong.status, 401, `${service} ${path} with a wrong proof`);
      }
      for (const method of ['POST'] as const) {
        const answer = await raw(platform.url(service), '/orders', { method, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') });
        assert.equal(answer.status, 401, `${service} POST without proof`);
      }
    }
    const path = `/orders/${aliceOrder}`;
    const headers = signInternalRequest(secret, 'gateway', { method: 'GET', path });
    assert.equal((await raw(platform.url('order'), path, { headers })).status, 200, 'a proper proof is answered');
    assert.equal((await raw(platform.url('order'), path, { headers })).status, 401, 'the same proof replayed is refused');
    const stale = { ...signInternalRequest(secret, 'gateway', { method: 'GET', path }), 'x-internal-timestamp': String(Date.now() - 120_000) };
    assert.equal((await raw(platform.url('order'), path, { headers: stale })).status, 401, 'a proof outside the window is refused');
  });

  it('when /internal or /metrics is asked for through the gateway under any spelling, then it is never reached', async () => {
    const spellings = ['/internal/events?subject=x', '/metrics', '/orders/%2e%2e/internal/events', '/orders/%2E%2E/internal/events', '/orders/../internal/events', '/orders/./../metrics', '//internal/events', '/orders//..//internal/events', '/orders/..%2finternal/events', '/orders/%2e%2e%2fmetrics', '/products/..\\internal/events', '/internal/audit'];
    for (const spelling of spellings) {
      const answer = await raw(platform.url('gateway'), spelling, { headers: { authorization: `Bearer ${alice.sessions!.admin}` } });
      assert.ok(answer.status === 400 || answer.status === 404, `${spelling} → ${answer.status}`);
      assert.match(String(answer.headers['content-type']), /application\/problem\+json/, spelling);
    }
  });

  it('when a 2 MB body arrives (with Content-Length, then chunked), then it gets 413 problem+json and the next request is answered, never reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${alice.sessions!.customer}`, 'idempotency-key': randomUUID() };
    for (const chunked of [false, true]) {
      const refused = await raw(platform.url('gateway'), '/orders', { method: 'POST', headers, body: big, agent, chunked });
      assert.equal(refused.status, 413, chunked ? 'chunked' : 'content-length');
      assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
      const next = await raw(platform.url('gateway'), '/health', { agent });
      assert.equal(next.status, 200, 'the next request on the connection is answered');
    }
    agent.destroy();
  });

  it('when the databases are read directly, then personal and card data are ciphertext, passwords bcrypt hashes', async () => {
    const [order] = await query<{ customer_email_encrypted: string }>('order', 'SELECT customer_email_encrypted FROM orders WHERE id = $1', [aliceOrder]);
    assert.match(order!.customer_email_encrypted, /^enc1\./);
    const [notice] = await query<{ recipient_encrypted: string }>('notification', 'SELECT recipient_encrypted FROM notification WHERE order_id = $1', [aliceOrder]);
    assert.match(notice!.recipient_encrypted, /^enc1\./);
    const users = await query<{ email_encrypted: string; password_hash: string }>('auth', 'SELECT email_encrypted, password_hash FROM app_user');
    for (const user of users) {
      assert.match(user.email_encrypted, /^enc1\./);
      assert.match(user.password_hash, /^\$2[aby]\$\d\d\$/);
    }
    const [intent] = await query<{ card_token_encrypted: string | null }>('payment', 'SELECT card_token_encrypted FROM payment_intent WHERE order_id = $1', [aliceOrder]);
    assert.equal(intent!.card_token_encrypted, null, 'the card token is erased once the payment has an outcome');
    const plain = await query<{ n: number }>('payment', "SELECT count(*)::int AS n FROM payment_intent WHERE card_token_encrypted LIKE '%tok\\_%'");
    assert.equal(plain[0]!.n, 0);
    const orderEvents = await query<{ envelope: string }>('order', "SELECT envelope FROM outbox WHERE routing_key = 'order.placed.v1'");
    assert.ok(orderEvents.length > 0 && orderEvents.every((row) => !row.envelope.includes('tok_')), 'order.placed carries no card token');
    for (const service of ['order', 'inventory', 'payment', 'ledger', 'notification']) {
      const leaks = await query<{ n: number }>(service, 'SELECT count(*)::int AS n FROM outbox WHERE envelope LIKE $1', [`%${aliceEmail}%`]);
      assert.equal(leaks[0]!.n, 0, `${service}'s outbox holds no e-mail in clear`);
    }
  });

  it('when a payment intent was never used by an order, then its card token is erased after the retention period', async () => {
    const orphan = randomUUID();
    await query('payment', "INSERT INTO payment_intent (order_id, card_token_encrypted, customer_id, created_at) VALUES ($1, 'enc1.dev1.x.y', $2, now() - interval '3 days')", [orphan, alice.sessions!.customerId]);
    const fresh = randomUUID();
    await query('payment', "INSERT INTO payment_intent (order_id, card_token_encrypted, customer_id) VALUES ($1, 'enc1.dev1.x.y', $2)", [fresh, alice.sessions!.customerId]);
    await waitFor('the stale token to be erased', async () => (await query<{ t: string | null }>('payment', 'SELECT card_token_encrypted AS t FROM payment_intent WHERE order_id = $1', [orphan]))[0]!.t === null);
    const [kept] = await query<{ t: string | null }>('payment', 'SELECT card_token_encrypted AS t FROM payment_intent WHERE order_id = $1', [fresh]);
    assert.equal(kept!.t, 'enc1.dev1.x.y', 'an intent within the retention keeps its token');
  });

  it('when data was encrypted under an old key and the keys rotate, then it still reads and new data uses the new key', async () => {
    const oldKeys = platform.secrets.dataEncryptionKeys;
    const rotated = `k2:${Buffer.alloc(32, 7).toString('base64')},${oldKeys}`;
    await platform.stop('notification');
    platform.start('notification', { DATA_ENCRYPTION_KEYS: rotated });
    const notices = await waitFor('the notification service back', async () => {
      const answer = await alice.request<Array<{ recipient: string }>>('GET', `/notifications?orderId=${aliceOrder}`);
      return answer.status === 200 ? answer.body : undefined;
    });
    assert.equal(notices[0]!.recipient, aliceEmail, 'a row written under the old key still reads');
    const productId = await alice.createProduct({ stock: 1 });
    const fresh = await alice.placeOrder(productId, { email: aliceEmail });
    await alice.finalOrder(fresh);
    const [row] = await waitFor('the new notice', async () => {
      const rows = await query<{ recipient_encrypted: string }>('notification', 'SELECT recipient_encrypted FROM notification WHERE order_id = $1', [fresh]);
      return rows.length === 1 ? rows : undefined;
    });
    assert.match(row!.recipient_encrypted, /^enc1\.k2\./, 'new rows are written under the newest key');
    assert.equal((await alice.notifications(fresh))[0]?.recipient, aliceEmail);
  });

  it('when the logs are searched, then no password, token, client secret or e-mail is in them', async () => {
    const gateway = platform.url('gateway');
    const carol = await registerCustomer(gateway);
    const again = await login(gateway, carol.email, carol.password);
    const merchant = await createMerchant(gateway, alice.sessions!.admin);
    const secrets = [carol.password, carol.email, again.accessToken, again.refreshToken!, merchant.clientSecret, aliceEmail, platform.secrets.adminPassword, platform.secrets.internalAuthSecret];
    const logs = platform.logs.join('\n');
    for (const secret of secrets) assert.ok(!logs.includes(secret), `a secret (${secret.slice(0, 4)}…) reached the logs`);
  });
});
