import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, recordingHandler, startRelay, type ConsumerHandle } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { sleep, waitFor } from './support/wait.ts';
import { needsLocalServers } from './support/local-servers.ts';

const run = promisify(execFile);
const BATCHES = 40;
const PER_BATCH = 50;

/** Drops every client connection the broker has, as a network blip or broker failover would. */
async function closeAllBrokerConnections(): Promise<void> {
  await run('rabbitmqctl', ['close_all_connections', 'test: simulated broker failure']);
}

describe('broker connection loss while events flow', { skip: needsLocalServers }, () => {
  let db: TestbedDatabase;
  let consumer: ConsumerHandle;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const counted = uniqueCounterEvent();
  const queue = uniqueName('q_recover');

  before(async () => {
    db = await createTestbedDatabase();
    consumer = await consume(db, queue, [recordingHandler(queue, counted)]);
    relay = await startRelay(db.url, { batchSize: 100 });
  });
  after(async () => {
    await relay.stop();
    await consumer.stop();
    await db.drop();
  });

  it('when all broker connections are force-closed repeatedly mid-flow, then relay and consumer recover and every event is applied exactly once', async () => {
    const written: string[] = [];
    let connectsBefore = 0;
    consumer.connection.on('connect', () => (connectsBefore += 1));
    for (let batch = 0; batch < BATCHES; batch++) {
      written.push(...(await commitEvents(db.prisma, counted, Array.from({ length: PER_BATCH }, (_, i) => ({ subject: `agg-${i % 10}`, sequence: batch * PER_BATCH + i })))));
      if (batch % 10 === 5) {
        await closeAllBrokerConnections();
        await sleep(100);
      }
    }
    await waitFor('every event applied', async () => (await effectsOf(db.prisma, queue)).length >= written.length, 60_000, 200);
    await waitFor('the outbox to drain', async () => (await db.prisma.outboxEvent.count({ where: { publishedAt: null } })) === 0);

    const effects = await effectsOf(db.prisma, queue);
    assert.equal(effects.length, written.length, 'nothing applied twice');
    assert.deepEqual(new Set(effects.map((effect) => effect.eventId)), new Set(written), 'nothing lost');
    assert.ok(connectsBefore >= 3, `the consumer reconnected by itself (${connectsBefore} times)`);
  });
});
