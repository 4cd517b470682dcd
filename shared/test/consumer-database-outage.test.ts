import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/testbed/client.ts';
import { startConsumer } from '../src/consumer/start-consumer.ts';
import { startFaultProxy, type FaultProxy } from '../../scripts/faults/tcp-fault-proxy.ts';
import { createTestbedDatabase, type TestbedClient, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, deleteQueues, effectsOf, logger, recordingHandler, SOURCE, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { peekDlq } from './support/dlq-reader.ts';
import { waitFor } from './support/wait.ts';

type Tx = Parameters<Parameters<TestbedClient['$transaction']>[0]>[0];
const RETRY_DELAYS_MS = [100, 200]; // a budget of 0.3 s: far shorter than the outage

describe('a consumer whose own database is down', () => {
  let db: TestbedDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let proxy: FaultProxy;
  let viaProxy: TestbedClient;
  before(async () => {
    db = await createTestbedDatabase();
    relay = await startRelay(db.url); // the relay reaches the database directly; only the consumer loses it
    const url = new URL(db.url);
    proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port || 5432) });
    viaProxy = new PrismaClient({ adapter: new PrismaPg({ connectionString: proxy.url(db.url), connectionTimeoutMillis: 1_000 }) });
  });
  after(async () => {
    await viaProxy.$disconnect();
    await proxy.close();
    await relay.stop();
    await db.drop();
  });

  it('when it stays down far longer than the retry budget, then nothing is dead-lettered and every event is applied once it answers', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_outage');
    const outcomes: string[] = [];
    const consumer = await startConsumer<Tx>({
      amqpUrl: AMQP_URL,
      queue,
      source: SOURCE,
      handlers: [recordingHandler(queue, counted)],
      transaction: (work) => viaProxy.$transaction(work),
      retryDelaysMs: RETRY_DELAYS_MS,
      logger,
      outageProbeMs: 200,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    try {
      await commitEvents(db.prisma, counted, [{ subject: 'before', sequence: 0 }]);
      await waitFor('the first event applied', async () => (await effectsOf(db.prisma, queue)).length === 1);

      await proxy.cut();
      const events = Array.from({ length: 20 }, (_, sequence) => ({ subject: `during-${sequence % 5}`, sequence }));
      for (const event of events) await commitEvents(db.prisma, counted, [event]);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // ten times the retry budget
      assert.equal((await effectsOf(db.prisma, queue)).length, 1, 'nothing applied while the database is away');
      await proxy.restore();

      await waitFor('every event applied', async () => (await effectsOf(db.prisma, queue)).length === 1 + events.length, 20_000);
      assert.equal(outcomes.filter((outcome) => outcome === 'dead-lettered').length, 0);
      assert.deepEqual(await peekDlq(queue, 0), []);
      assert.equal((await effectsOf(db.prisma, queue)).length, 1 + events.length, 'each applied once');
    } finally {
      await consumer.stop();
      await deleteQueues(queue, RETRY_DELAYS_MS);
    }
  });
});
