import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amqpConnectTarget, amqpNodeUrls, amqpUrlWithUser, amqpUsername, isAmqpUrl, splitAmqpUrlList } from '../src/amqp/amqp-url.ts';

const CLUSTER = 'amqp://order:s%40cret@127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683/e2e?heartbeat=10';

describe('broker URLs naming several nodes', () => {
  it('when a URL names three nodes, then each node gets the credentials, vhost and query', () => {
    assert.deepEqual(amqpNodeUrls(CLUSTER), ['amqp://order:s%40cret@127.0.0.1:5681/e2e?heartbeat=10', 'amqp://order:s%40cret@127.0.0.1:5682/e2e?heartbeat=10', 'amqp://order:s%40cret@127.0.0.1:5683/e2e?heartbeat=10']);
    assert.equal(amqpUsername(CLUSTER), 'order');
    assert.ok(isAmqpUrl(CLUSTER));
    assert.ok(!isAmqpUrl('http://127.0.0.1:5672'));
    assert.ok(!isAmqpUrl('amqp://127.0.0.1:56a72'));
  });

  it('when a list holds several multi-node URLs (the relay: one per database), then each stays whole', () => {
    const other = amqpUrlWithUser(CLUSTER, 'ledger', 'pw');
    assert.deepEqual(splitAmqpUrlList(`${CLUSTER},${other}`), [CLUSTER, other]);
    assert.deepEqual(splitAmqpUrlList('amqp://a@h:1/v, amqp://b@h:1/v'), ['amqp://a@h:1/v', 'amqp://b@h:1/v']);
  });

  it('when another user is put in, then every node keeps its host and the vhost', () => {
    assert.equal(amqpUrlWithUser(CLUSTER, 'ledger', 'p/w'), 'amqp://ledger:p%2Fw@127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683/e2e?heartbeat=10');
    assert.equal(amqpUrlWithUser('amqp://guest:guest@localhost:5672/', 'a', 'b'), 'amqp://a:b@localhost:5672/');
  });

  it('when amqplib connects again, then it is sent to the next node, round the cluster', () => {
    assert.equal(amqpConnectTarget('amqp://guest:guest@127.0.0.1:5672'), 'amqp://guest:guest@127.0.0.1:5672');
    const target = amqpConnectTarget(CLUSTER) as { protocol: string; hostname: string; port: number; username: string; password: string; vhost: string; heartbeat?: number };
    const attempt = () => {
      const protocol = target.protocol; // amqplib reads it first, once per attempt
      return { protocol, port: target.port, username: target.username, password: target.password, vhost: target.vhost, heartbeat: target.heartbeat };
    };
    const ports = [attempt(), attempt(), attempt(), attempt()].map((read) => read.port);
    assert.deepEqual(ports, [5681, 5682, 5683, 5681]);
    assert.deepEqual(attempt(), { protocol: 'amqp', port: 5682, username: 'order', password: 's@cret', vhost: 'e2e', heartbeat: 10 });
  });
});
