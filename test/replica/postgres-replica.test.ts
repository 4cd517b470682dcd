import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { copyDatabasesToPrimary, primaryUrl, standbyUrl, startReplicaPair, startServer, stopReplicaPair, stopServer } from '../../scripts/postgres-replica.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

// The whole platform on the pair's primary: set before the platform's modules read PG_URL.
const MACHINE_PG_URL = process.env.PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
process.env.PG_URL = primaryUrl();
const { signedInClient, startTestPlatform } = await import('../e2e/support/test-platform.ts');
type Platform = Awaited<ReturnType<typeof startTestPlatform>>;
type Client = Awaited<ReturnType<typeof signedInClient>>;

async function onStandby(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: standbyUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('order status reads on a streaming replica', { skip: needsLocalServers }, () => {
  let platform: Platform | undefined;
  let api: Client;
  let productId: string;
  before(async () => {
    startReplicaPair();
    // The e2e templates `pnpm test` migrated, copied over (when missing, the platform migrates its own).
    copyDatabasesToPrimary(MACHINE_PG_URL, 'e2etpl\\_%');
    platform = await startTestPlatform({ order: { DATABASE_READ_URL: standbyUrl('e2e_order') }, inventory: { DATABASE_READ_URL: standbyUrl('e2e_inventory') } });
    api = await signedInClient(platform);
    productId = await api.createProduct({ stock: 20 });
  });
  after(async () => {
    await onStandby('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await platform?.stopAll();
    stopReplicaPair();
  });

  it('when the standby has not replayed an order, then other callers read the standby (not there yet) while the customer who placed it reads it at once', async () => {
    await onStandby('SELECT pg_wal_replay_pause()');
    const orderId = await api.placeOrder(productId);
    const own = await api.request<{ orderId: string }>('GET', `/orders/${orderId}`);
    assert.equal(own.status, 200, 'read-your-writes: the writer reads the primary');
    const ownList = await api.request<{ orders: Array<{ orderId: string }> }>('GET', '/orders');
    assert.ok(ownList.body.orders.some((order) => order.orderId === orderId), "the writer's list has it");
    const other = await api.request('GET', `/orders/${orderId}`, undefined, {}, 'admin');
    assert.equal(other.status, 404, 'another caller is served by the standby, paused before the order');

    await onStandby('SELECT pg_wal_replay_resume()');
    await waitFor('the standby caught up', async () => (await api.request('GET', `/orders/${orderId}`, undefined, {}, 'admin')).status === 200);
    // The saga never reads the replica: the order completes as ever.
    assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
  });

  it('when the standby has not replayed a new product, then the public reads the standby, the merchant its own product, and an order for it is priced from the primary', async () => {
    await onStandby('SELECT pg_wal_replay_pause()');
    try {
      const fresh = await api.createProduct({ stock: 3 });
      assert.equal((await api.request('GET', `/products/${fresh}`, undefined, {}, 'merchant')).status, 200, "the merchant's own write");
      assert.equal((await api.request('GET', `/products/${fresh}`, undefined, {}, 'anonymous')).status, 404, 'the public reads the paused standby');
      // The order service asks the catalogue as itself: the primary, never a replica's guess.
      const orderId = await api.placeOrder(fresh);
      await onStandby('SELECT pg_wal_replay_resume()');
      assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
    } finally {
      await onStandby('SELECT pg_wal_replay_resume()');
    }
    assert.equal((await api.request('GET', `/products/${productId}`, undefined, {}, 'anonymous')).status, 200);
  });

  it('when the standby is stopped, then reads fall back to the primary and orders carry on; when it returns it serves again', async () => {
    const before = await api.placeOrder(productId);
    await api.finalOrder(before);
    stopServer('standby');
    try {
      assert.equal((await api.request('GET', `/orders/${before}`, undefined, {}, 'admin')).status, 200);
      assert.equal((await api.request('GET', '/orders', undefined, {}, 'merchant')).status, 200);
      const during = await api.placeOrder(productId);
      assert.equal((await api.finalOrder(during)).status, 'COMPLETED');
    } finally {
      startServer('standby');
    }
    // Back in use after its pause: a paused standby hides a new order from other callers again.
    await onStandby('SELECT pg_wal_replay_pause()');
    const later = await api.placeOrder(productId);
    await waitFor('reads on the standby again', async () => (await api.request('GET', `/orders/${later}`, undefined, {}, 'admin')).status === 404, 15_000);
    await onStandby('SELECT pg_wal_replay_resume()');
    assert.equal((await api.finalOrder(later)).status, 'COMPLETED');
  });
});
