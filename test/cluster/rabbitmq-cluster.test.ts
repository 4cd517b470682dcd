import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkBooks } from '../../scripts/money-audit/check-books.ts';
import { readBooks } from '../../scripts/money-audit/read-books.ts';
import { CLUSTER_MANAGEMENT_URL, CLUSTER_NODES, clusterAmqpUrl, runningNodes, startCluster, stopCluster } from '../../scripts/rabbitmq-cluster.ts';
import { E2E_VHOST, signedInClient, startTestPlatform, type TestPlatform } from '../e2e/support/test-platform.ts';
import type { GatewayClient } from '../e2e/support/api.ts';
import { queuesLeftOver, untilAllFinal } from '../chaos/quiescence.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

const run = promisify(execFile);
const nodeA = CLUSTER_NODES[0]!.name;
/** Long enough to outlive a node's absence, as in the chaos run. */
const RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000, 10_000, 20_000];
const ORDERS = 36;
const RATE_PER_SECOND = 3;

describe('the platform on a three-node RabbitMQ cluster', { skip: needsLocalServers }, () => {
  let platform: TestPlatform | undefined;
  let api: GatewayClient;
  const managementBefore = process.env.RABBITMQ_MANAGEMENT_URL;

  before(async () => {
    startCluster();
    process.env.RABBITMQ_MANAGEMENT_URL = CLUSTER_MANAGEMENT_URL;
    const retries = { RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(',') };
    platform = await startTestPlatform({ order: retries, inventory: retries, payment: retries, ledger: retries, notification: retries }, { amqpUrl: clusterAmqpUrl(E2E_VHOST) });
    api = await signedInClient(platform);
  });
  after(async () => {
    await platform?.stopAll();
    if (managementBefore === undefined) delete process.env.RABBITMQ_MANAGEMENT_URL;
    else process.env.RABBITMQ_MANAGEMENT_URL = managementBefore;
    stopCluster();
  });

  it('when the node every client is connected to stops under load, then the platform carries on through the other two; when it comes back it rejoins; nothing is left or lost, and the money audit passes', async () => {
    assert.equal(runningNodes().length, 3);
    const productId = await api.createProduct({ stock: ORDERS * 2 });
    const placeAtRate = async (count: number) => {
      const started = Date.now();
      const placed: Array<Promise<string>> = [];
      for (let n = 0; n < count; n++) {
        const due = started + (n * 1000) / RATE_PER_SECOND;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        placed.push(api.placeOrder(productId));
      }
      return Promise.all(placed);
    };
    // Every process connected to node A first (the URL's first node): stopping it moves them all.
    const stopA = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await run('rabbitmqctl', ['-q', '-n', nodeA, 'stop_app']);
    })();
    stopA.catch(() => undefined); // awaited below, after the load
    const duringOutage = await placeAtRate(ORDERS);
    await stopA;
    assert.deepEqual(runningNodes('B').sort(), CLUSTER_NODES.slice(1).map((node) => node.name).sort(), 'node A is out of the cluster');
    // Node A stays down until these are final: the platform must have moved to B and C.
    assert.notEqual(await untilAllFinal(duringOutage, Date.now(), 120_000), null, 'every order final with node A down');

    await run('rabbitmqctl', ['-q', '-n', nodeA, 'start_app']);
    const afterReturn = await placeAtRate(9);
    assert.notEqual(await untilAllFinal(afterReturn, Date.now(), 60_000), null, 'every order final with node A back');
    const orderIds = [...duringOutage, ...afterReturn];
    const outcomes = await Promise.all(orderIds.map(async (id) => (await api.order(id)).status));
    assert.deepEqual([...new Set(outcomes)], ['COMPLETED']);
    assert.equal((await api.product(productId)).sold, orderIds.length);
    assert.deepEqual(await queuesLeftOver(RETRY_DELAYS_MS), {}, 'no message left in a queue, a retry queue or a DLQ, none parked');
    const { books, ledgerProblems } = await readBooks('e2e');
    assert.deepEqual([...ledgerProblems.map((problem) => problem.check), ...checkBooks(books).map((breach) => `${breach.rule}: ${breach.detail}`)], []);
    assert.equal(runningNodes().length, 3, 'node A rejoined');
  });
});
