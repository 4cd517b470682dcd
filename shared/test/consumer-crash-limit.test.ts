import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { putQueuePolicy } from '../../scripts/broker-setup.ts';
import { deliveryLimitPolicy } from '../src/amqp/queue-policies.ts';
import { declareServiceQueue, dlqName, retryQueueName } from '../src/amqp/topology.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';

const LIMIT = 3;

describe('a message that crashes its consumer', () => {
  let db: TestbedDatabase;
  const queue = uniqueName('crash');
  const definition = uniqueCounterEvent();
  const policy = deliveryLimitPolicy(queue, LIMIT);
  let child: ChildProcess | null = null;
  let starts = 0;
  let stopping = false;

  /** A supervisor, as Kubernetes would be: whatever dies is started again. */
  function supervise(): void {
    starts += 1;
    child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support/crashing-consumer.ts')], { env: { ...process.env, DATABASE_URL: db.url, QUEUE: queue, EVENT_TYPE: definition.type, AMQP_URL }, stdio: 'ignore' });
    child.once('exit', () => {
      if (!stopping) supervise();
    });
  }

  before(async () => {
    db = await createTestbedDatabase();
    const connection = await amqp.connect(AMQP_URL);
    await declareServiceQueue(await connection.createChannel(), { queue, eventTypes: [definition.type], retryDelaysMs: [100] });
    await connection.close();
    await putQueuePolicy('/', policy);
  });
  after(async () => {
    stopping = true;
    child?.kill('SIGKILL');
    await putQueuePolicy('/', policy, true);
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const name of [queue, dlqName(queue), retryQueueName(queue, 100)]) await channel.deleteQueue(name);
    await connection.close();
    await db.drop();
  });

  it('when a handler kills its process on one message, then that message ends in the DLQ after the delivery limit, and the service keeps running and applies the rest', async () => {
    supervise();
    const relay = await startRelay(db.url);
    try {
      await commitEvents(db.prisma, definition, [{ subject: 'poison', sequence: 666 }]);
      await commitEvents(db.prisma, definition, [{ subject: 'healthy-1', sequence: 1 }, { subject: 'healthy-2', sequence: 2 }]);
      const connection = await amqp.connect(AMQP_URL);
      try {
        const channel = await connection.createChannel();
        await waitFor('the poison message dead-lettered', async () => ((await channel.checkQueue(dlqName(queue))).messageCount === 1 ? true : undefined), 60_000, 200);
      } finally {
        await connection.close();
      }
      const applied = await waitFor('the healthy messages applied', async () => {
        const rows = await db.prisma.appliedEffect.findMany({ where: { consumer: 'crash-test' }, orderBy: { sequence: 'asc' } });
        return rows.length === 2 ? rows.map((row) => row.sequence) : undefined;
      });
      assert.deepEqual(applied, [1, 2]);
      assert.ok(starts >= 2 && starts <= LIMIT + 2, `the consumer was restarted ${starts - 1} times`);
      const running = child!;
      assert.equal(running.exitCode, null, 'the consumer still runs');
    } finally {
      await relay.stop();
    }
  });
});
