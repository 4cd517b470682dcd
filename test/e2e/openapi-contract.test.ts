import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { platformForSuite } from './support/test-platform.ts';
import { API_DOCUMENT, mismatchOf, templateOf } from './support/openapi-check.ts';
import { tokenRequest } from './support/sessions.ts';
import { vaultCard } from './support/payments.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

const RECEIVER_PORT = 18197;

interface Recorded {
  method: string;
  url: URL;
  status: number;
  type: string;
  body: unknown;
}

describe('the OpenAPI document against the running platform', () => {
  // Every answer the gateway gives in this suite is recorded, the logins included.
  const recorded: Recorded[] = [];
  const realFetch = globalThis.fetch;
  before(() => {
    globalThis.fetch = async (input, init) => {
      const response = await realFetch(input, init);
      const text = await response.clone().text();
      const url = new URL(input instanceof Request ? input.url : String(input));
      recorded.push({ method: init?.method ?? 'GET', url, status: response.status, type: response.headers.get('content-type') ?? '', body: text && /json/.test(response.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : text || null });
      return response;
    };
  });
  after(() => {
    globalThis.fetch = realFetch;
  });
  const suite = platformForSuite({ notification: { WEBHOOK_ALLOWED_TARGETS: `127.0.0.1:${RECEIVER_PORT}`, WEBHOOK_SEND_INTERVAL_MS: '100' } });
  let receiver: Receiver | undefined;
  after(async () => receiver?.close());

  it('when the gateway serves /openapi.json, then it is a valid OpenAPI 3.1 document, the one generated from the schemas, with a readable page beside it', async () => {
    const answer = await fetch(`${suite.platform.url('gateway')}/openapi.json`);
    const served = (await answer.json()) as typeof API_DOCUMENT & { openapi: string };
    assert.equal(served.openapi, '3.1.0');
    const result = await new Validator().validate(served as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.deepEqual(served, API_DOCUMENT);
    const page = await fetch(`${suite.platform.url('gateway')}/docs`);
    const html = await page.text();
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /style-src 'sha256-/);
    for (const path of Object.keys(API_DOCUMENT.paths)) assert.ok(html.includes(path), `the page lists ${path}`);
  });

  it('when every documented operation is called, then each answer (successes and problems) matches the document', async () => {
    const { api, platform } = suite;
    const sessions = api.sessions!;
    const gateway = platform.url('gateway');
    const as = (caller: 'customer' | 'merchant' | 'admin' | 'anonymous') => (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => api.request<Record<string, unknown>>(method, path, body, headers, caller);
    const [customer, merchant, admin, anonymous] = [as('customer'), as('merchant'), as('admin'), as('anonymous')];

    // Identity.
    await anonymous('GET', '/.well-known/jwks.json');
    await customer('GET', '/auth/me');
    await admin('POST', `/merchants/${sessions.merchantId}/staff`, { email: `staff-${randomUUID().slice(0, 8)}@example.com`, password: `pw-${randomUUID()}` });
    await admin('POST', '/auth/clients', { name: 'contract client' });
    const email = `contract-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    await anonymous('POST', '/auth/users', { email, password });
    const login = await tokenRequest(gateway, { grant_type: 'password', client_id: 'platform-web', username: email, password });
    await tokenRequest(gateway, { grant_type: 'password', client_id: 'platform-web', username: email, password: 'wrong-password' });
    await anonymous('POST', '/oauth/revoke', { token: login.body.refresh_token, client_id: 'platform-web' });

    // Catalogue, stock, an order and its money.
    receiver = await startReceiver(RECEIVER_PORT);
    const endpoint = (await merchant('POST', '/merchants/me/webhook-endpoints', { url: `http://127.0.0.1:${RECEIVER_PORT}/hooks`, eventTypes: ['order.completed'] })).body;
    const productId = await api.createProduct({ stock: 20 });
    await anonymous('GET', `/products/${productId}`);
    const held = randomUUID();
    await admin('POST', '/inventory/reserve', { orderId: held, productId, quantity: 1 });
    await admin('POST', '/inventory/reserve', { orderId: randomUUID(), productId, quantity: 1_000 });
    await admin('POST', '/inventory/release', { orderId: held });
    const orderId = await api.placeOrder(productId, { email: 'buyer@example.com' });
    await api.finalOrder(orderId);
    await customer('GET', `/orders/${orderId}`);
    await customer('GET', '/orders?limit=5');
    await merchant('GET', '/orders');
    await customer('GET', `/orders/${orderId}/timeline`);
    await customer('GET', `/payments/${orderId}`);
    await merchant('POST', `/payments/${orderId}/refunds`, { amountMinor: 100, reason: 'a scratch' }, { 'idempotency-key': randomUUID() });
    await customer('GET', `/notifications?orderId=${orderId}`);
    await customer('GET', `/ledger/entries?orderId=${orderId}`);
    const cardToken = await vaultCard(api, '4242424242424242');
    await customer('POST', '/wallet/top-ups', { amountMinor: 5_000, currency: 'EUR', cardToken });
    await customer('GET', '/wallet');

    // The books.
    await admin('GET', '/ledger/trial-balance');
    const accounts = (await merchant('GET', '/ledger/accounts')).body as unknown as Array<{ id: string }>;
    await admin('GET', '/ledger/accounts?type=fee_revenue');
    await merchant('GET', `/ledger/accounts/${accounts[0]!.id}`);
    await merchant('GET', `/ledger/accounts/${accounts[0]!.id}/statement?limit=2`);
    await admin('PUT', `/ledger/merchants/${sessions.merchantId}/fee`, { bps: 150, fixedMinor: 10 });
    const transfers = (await customer('GET', `/ledger/entries?orderId=${orderId}`)).body as unknown as Array<{ id: string }>;
    await admin('POST', `/ledger/transfers/${encodeURIComponent(transfers[0]!.id)}/reversal`);
    await admin('POST', `/ledger/transfers/${encodeURIComponent(transfers[0]!.id)}/reversal`);

    // Webhooks, reconciliation, the audit trail, a key rotation.
    const endpoints = `/merchants/me/webhook-endpoints/${String(endpoint.id)}`;
    await merchant('GET', '/merchants/me/webhook-endpoints');
    const delivery = await waitFor('a delivery logged', async () => ((await merchant('GET', `${endpoints}/deliveries`)).body.deliveries as Array<{ id: string }>)[0]);
    await merchant('POST', `${endpoints}/deliveries/${delivery.id}/resend`, {});
    await merchant('POST', `${endpoints}/rotate-secret`, { overlapSeconds: 60 });
    await merchant('POST', `${endpoints}/disable`, {});
    await admin('POST', '/admin/reconciliation/runs', {});
    await admin('GET', '/admin/reconciliation/reports/latest');
    await admin('GET', '/audit-log?limit=5');
    await admin('POST', '/auth/signing-keys/rotate');

    // Problems: bad input, no token, the wrong role, nothing there, a conflict, refused.
    await customer('POST', '/orders', { productId, quantity: 0, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': randomUUID() });
    await anonymous('GET', `/orders/${orderId}`);
    await customer('GET', '/ledger/trial-balance');
    await customer('GET', `/orders/${randomUUID()}`);
    await customer('POST', '/orders', { productId: randomUUID(), quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': randomUUID() });

    const answers = recorded.filter((answer) => answer.url.origin === new URL(gateway).origin && templateOf(answer.url.pathname) !== null && !answer.url.pathname.startsWith('/docs') && answer.url.pathname !== '/openapi.json');
    const mismatches = answers.map((answer) => mismatchOf(answer.method, answer.url.pathname, answer.status, answer.type, answer.body)).filter((problem) => problem !== null);
    assert.deepEqual(mismatches, []);
    const succeeded = new Set(answers.filter((answer) => answer.status < 300).map((answer) => `${answer.method.toUpperCase()} ${templateOf(answer.url.pathname)}`));
    const documented = Object.entries(API_DOCUMENT.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(documented.filter((operation) => !succeeded.has(operation)), [], 'every operation answered a success at least once');
    for (const status of [400, 401, 403, 404, 409, 422]) assert.ok(answers.some((answer) => answer.status === status), `a ${status} was checked`);
  });
});
