import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { on } from '../src/consumer/handler.ts';
import { startConsumer, type RunningConsumer } from '../src/consumer/start-consumer.ts';
import { createTestbedDatabase, type TestbedClient, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, deleteQueues, effectsOf, logger, SOURCE, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';

type Counted = ReturnType<typeof uniqueCounterEvent>;
type Tx = Parameters<Parameters<TestbedClient['$transaction']>[0]>[0];

const SUBJECTS = 3; // odd, so a round-robin between two consumers would split each subject's events
const PER_SUBJECT = 25;

describe('two instances of a service on one queue', () => {
  let db: TestbedDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  before(async () => {
    db = await createTestbedDatabase();
    relay = await startRelay(db.url);
  });
  after(async () => {
    await relay.stop();
    await db.drop();
  });

  it('when two consumers share a queue and the active one stops midway, then each aggregate’s events are still applied in order, each once', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_two');
    // Handlers that take a little random time: two consumers taking turns would apply out of order.
    const handler = (instance: string) =>
      on<Counted, Tx>(counted, async (data, { tx, envelope }) => {
        await sleep(Math.random() * 10);
        await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: `${instance}:${envelope.id}`, sequence: data.sequence } });
      });
    const start = (instance: string) =>
      startConsumer<Tx>({ amqpUrl: AMQP_URL, queue, source: SOURCE, handlers: [handler(instance)], transaction: (work) => db.prisma.$transaction(work), retryDelaysMs: [100], logger });
    const first: RunningConsumer = await start('first');
    const second: RunningConsumer = await start('second');
    try {
      const events = Array.from({ length: PER_SUBJECT }, (_, sequence) => Array.from({ length: SUBJECTS }, (_, subject) => ({ subject: `s${subject}`, sequence }))).flat();
      const half = events.length / 2;
      // Each half in one transaction: the relay publishes it as one burst, both consumers busy at once.
      await commitEvents(db.prisma, counted, events.slice(0, half));
      await waitFor('some events applied', async () => (await effectsOf(db.prisma, queue)).length >= half / 2);
      await first.stop(); // the active instance goes; the standby takes the queue over
      await commitEvents(db.prisma, counted, events.slice(half));
      await waitFor('every event applied', async () => (await effectsOf(db.prisma, queue)).length >= events.length, 30_000);

      const effects = await effectsOf(db.prisma, queue);
      assert.equal(effects.length, events.length, 'each applied once');
      for (let subject = 0; subject < SUBJECTS; subject++) {
        const order = effects.filter((effect) => effect.aggregateId === `s${subject}`).map((effect) => effect.sequence);
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `s${subject} applied out of order: ${order.join(',')}`);
      }
      assert.ok(effects.some((effect) => effect.eventId.startsWith('second:')), 'the standby took over');
    } finally {
      await first.stop();
      await second.stop();
      await deleteQueues(queue, [100]);
    }
  });
});
