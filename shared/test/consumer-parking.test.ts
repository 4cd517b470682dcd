import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../src/errors.ts';
import { on, type EventHandler } from '../src/consumer/handler.ts';
import { createTestbedDatabase, type TestbedClient, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { peekDlq } from './support/dlq-reader.ts';
import { waitFor } from './support/wait.ts';
import { createEnvelope } from '../src/envelope.ts';
import { SOURCE } from './support/harness.ts';

type Counted = ReturnType<typeof uniqueCounterEvent>;
type Tx = Parameters<Parameters<TestbedClient['$transaction']>[0]>[0];

/** Records each application; fails (transiently) for the subject and sequence `failing` names while it says so. */
function handlerFailingFor(consumer: string, definition: Counted, failing: { subject: string; sequence: number; now: () => boolean }): EventHandler<Tx> {
  return on<Counted, Tx>(definition, async (data, { tx, envelope }) => {
    if (envelope.subject === failing.subject && data.sequence === failing.sequence && failing.now()) {
      throw new AppError('unavailable', `${failing.subject} #${failing.sequence} cannot be applied yet`);
    }
    await tx.appliedEffect.create({ data: { consumer, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
  });
}

/** One transaction per event, in this order, so the relay publishes them in this order. */
async function commitInOrder(prisma: TestbedClient, definition: Counted, events: Array<[string, number]>) {
  for (const [subject, sequence] of events) await commitEvents(prisma, definition, [{ subject, sequence }]);
}

const sequencesOf = async (prisma: TestbedClient, queue: string, subject: string) =>
  (await effectsOf(prisma, queue)).filter((effect) => effect.aggregateId === subject).map((effect) => effect.sequence);

describe('one aggregate waits for its own retried event, no one else does', () => {
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

  it('when a handler fails for one order only, then that order’s later events wait and apply in order, and every other order completes meanwhile', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_park');
    let failing = true;
    const consumer = await consume(db, queue, [handlerFailingFor(queue, counted, { subject: 'stuck', sequence: 1, now: () => failing })], Array<number>(20).fill(300));
    try {
      await commitInOrder(db.prisma, counted, [['stuck', 1], ['free', 1], ['stuck', 2], ['free', 2], ['stuck', 3], ['other', 1]]);
      await waitFor('the other orders to complete', async () => (await effectsOf(db.prisma, queue)).length === 3);
      await waitFor('the stuck order’s later events to be parked', async () => consumer.outcomes.filter((outcome) => outcome === 'parked').length === 2);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'free'), [1, 2]);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'stuck'), [], 'nothing of the stuck order applied before its first event');

      failing = false;
      await waitFor('the stuck order to catch up', async () => (await sequencesOf(db.prisma, queue, 'stuck')).length === 3);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'stuck'), [1, 2, 3]);
      await waitFor('the parking lot to empty', async () => (await db.prisma.parkedMessage.count({ where: { consumer: queue } })) === 0);
      assert.ok(consumer.outcomes.includes('retried'));
    } finally {
      await consumer.stop();
    }
  });

  it('when the event they wait for is dead-lettered, then the parked events are applied after all', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_park_dlq');
    const consumer = await consume(db, queue, [handlerFailingFor(queue, counted, { subject: 'doomed', sequence: 1, now: () => true })], [200, 200]);
    try {
      await commitInOrder(db.prisma, counted, [['doomed', 1], ['doomed', 2], ['doomed', 3]]);
      const [dead] = await peekDlq(queue, 1);
      assert.equal(dead!.properties.headers!['x-failure-kind'], 'retries-exhausted');
      await waitFor('the parked events to be applied', async () => (await sequencesOf(db.prisma, queue, 'doomed')).length === 2);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'doomed'), [2, 3]);
      assert.equal(await db.prisma.parkedMessage.count({ where: { consumer: queue } }), 0);
    } finally {
      await consumer.stop();
    }
  });

  it('when a crash left a parked event unsent, or a head waits longer than its retry budget, then the sweeper moves the order on', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_park_sweep');
    const parked = (subject: string, sequence: number) => {
      const envelope = createEnvelope(SOURCE, { definition: counted, subject, data: { sequence } });
      return { id: envelope.id, content: JSON.stringify(envelope) };
    };
    const [unsent, behindStale] = [parked('orphaned', 1), parked('behind-lost-head', 2)];
    await db.prisma.parkedMessage.createMany({
      data: [
        // A head released, its successor not sent yet when the process died.
        { consumer: queue, subject: 'orphaned', messageId: unsent.id, eventType: counted.type, content: unsent.content, parkedAt: new Date(Date.now() - 60_000) },
        // A head whose message the broker dead-lettered on its own a day ago, and one event behind it.
        { consumer: queue, subject: 'behind-lost-head', messageId: crypto.randomUUID(), eventType: counted.type, content: null, parkedAt: new Date(Date.now() - 86_400_000) },
        { consumer: queue, subject: 'behind-lost-head', messageId: behindStale.id, eventType: counted.type, content: behindStale.content, parkedAt: new Date(Date.now() - 60_000) },
      ],
    });
    const consumer = await consume(db, queue, [handlerFailingFor(queue, counted, { subject: '-', sequence: 0, now: () => false })], [200], { parkedSweepMs: 200 });
    try {
      await waitFor('both to be applied', async () => (await effectsOf(db.prisma, queue)).length === 2);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'orphaned'), [1]);
      assert.deepEqual(await sequencesOf(db.prisma, queue, 'behind-lost-head'), [2]);
      await waitFor('the parking lot to empty', async () => (await db.prisma.parkedMessage.count({ where: { consumer: queue } })) === 0);
    } finally {
      await consumer.stop();
    }
  });
  it('when a head was applied by the instance that took over the queue, then its subject is freed at the next sweep, not after the retry budget', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_park_phantom');
    const behind = createEnvelope(SOURCE, { definition: counted, subject: 'taken-over', data: { sequence: 2 } });
    const appliedElsewhere = crypto.randomUUID();
    // The old instance recorded its message as retried after its channel closed; the new one had
    // already applied the redelivery (its inbox row). The retry budget here is an hour.
    await db.prisma.inboxMessage.create({ data: { consumer: queue, messageId: appliedElsewhere, eventType: counted.type } });
    await db.prisma.parkedMessage.createMany({
      data: [
        { consumer: queue, subject: 'taken-over', messageId: appliedElsewhere, eventType: counted.type, content: null, parkedAt: new Date(Date.now() - 10_000) },
        { consumer: queue, subject: 'taken-over', messageId: behind.id, eventType: counted.type, content: JSON.stringify(behind), parkedAt: new Date(Date.now() - 10_000) },
      ],
    });
    const consumer = await consume(db, queue, [handlerFailingFor(queue, counted, { subject: '-', sequence: 0, now: () => false })], [3_600_000], { parkedSweepMs: 200 });
    try {
      await waitFor('the event behind it applied', async () => (await sequencesOf(db.prisma, queue, 'taken-over')).length === 1, 10_000);
      await waitFor('the parking lot to empty', async () => (await db.prisma.parkedMessage.count({ where: { consumer: queue } })) === 0);
    } finally {
      await consumer.stop();
    }
  });
});
