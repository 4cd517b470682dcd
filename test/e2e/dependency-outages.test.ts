import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { databaseUrlFor, PG_URL } from '../../scripts/databases.ts';
import { startFaultProxy, type FaultProxy } from '../../scripts/faults/tcp-fault-proxy.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { platformForSuite } from './support/test-platform.ts';

/** Beside the platform's ports (18080–18089): the order service reaches PostgreSQL and Redis through these. */
const PG_PROXY_PORT = 18095;
const REDIS_PROXY_PORT = 18096;
const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const viaProxy = (original: string, port: number) => {
  const url = new URL(original);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
};

describe('dependency outages answer 503, never 500', () => {
  const proxies: { pg?: FaultProxy; redis?: FaultProxy } = {};
  before(async () => {
    const pg = new URL(PG_URL);
    proxies.pg = await startFaultProxy({ host: pg.hostname, port: Number(pg.port || 5432) }, PG_PROXY_PORT);
    proxies.redis = await startFaultProxy({ host: REDIS_URL.hostname, port: Number(REDIS_URL.port || 6379) }, REDIS_PROXY_PORT);
  });
  const suite = platformForSuite({ order: { DATABASE_URL: viaProxy(databaseUrlFor('order', 'e2e'), PG_PROXY_PORT), REDIS_URL: viaProxy(REDIS_URL.toString(), REDIS_PROXY_PORT) } });
  after(async () => {
    await proxies.pg?.close();
    await proxies.redis?.close();
  });

  const order = (productId: string, key: string) => suite.api.request<{ status: number; detail: string; orderId?: string }>('POST', '/orders', { productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': key });
  const assertOutage = (answer: { status: number; type: string; headers: Headers; body: { status: number } }, what: string) => {
    assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`);
    assert.ok(Number(answer.headers.get('retry-after')) >= 1, `${what}: Retry-After`);
    assert.match(answer.type, /application\/problem\+json/, what);
  };

  it("when the order service's database is unreachable, then its routes answer 503 with Retry-After, /ready says so, and orders flow again once it is back", async () => {
    const productId = await suite.api.createProduct({ stock: 10 });
    const before = await suite.api.placeOrder(productId);
    assert.equal((await suite.api.finalOrder(before)).status, 'COMPLETED');

    await proxies.pg!.cut();
    const key = randomUUID();
    try {
      assertOutage(await order(productId, key), 'POST /orders');
      assertOutage(await suite.api.request('GET', `/orders/${before}`), 'GET /orders/:id');
      assertOutage(await suite.api.request('GET', '/orders'), 'GET /orders');
      const ready = await fetch(`${suite.platform.url('order')}/ready`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { checks: Record<string, string> }).checks.database, 'unavailable');
    } finally {
      // A failure here must not leave the database cut for the next test.
      await proxies.pg!.restore();
    }
    // The same key, retried: the refused attempt wrote nothing, so this one places the order.
    const retried = await waitFor('the order accepted again', async () => {
      const answer = await order(productId, key);
      return answer.status === 202 ? answer : undefined;
    });
    assert.equal((await suite.api.finalOrder(retried.body.orderId!)).status, 'COMPLETED');
    assert.equal((await fetch(`${suite.platform.url('order')}/ready`)).status, 200);
    assert.equal((await suite.api.product(productId)).sold, 2, 'two orders, two sold: nothing half-written');
  });

  it('when a service the order needs is down, then POST /orders answers 503; when Redis is down, orders still flow', async () => {
    const productId = await suite.api.createProduct({ stock: 10 });
    await suite.platform.stop('inventory');
    try {
      assertOutage(await order(productId, randomUUID()), 'POST /orders without inventory');
    } finally {
      suite.platform.start('inventory');
      await suite.platform.waitUntilReady();
    }

    await proxies.redis!.cut();
    try {
      const orderId = await suite.api.placeOrder(productId);
      assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED', 'Redis is a cache here: its outage costs speed, not orders');
    } finally {
      await proxies.redis!.restore();
    }
  });
});
