import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, recordingHandler, spawnRelay, type ConsumerHandle } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';

describe('relay crash between publish and mark-sent', () => {
  let db: TestbedDatabase;
  let consumer: ConsumerHandle;
  const counted = uniqueCounterEvent();
  const queue = uniqueName('q_crash');

  before(async () => {
    db = await createTestbedDatabase();
    consumer = await consume(db, queue, [recordingHandler(queue, counted)]);
  });
  after(async () => {
    await consumer.stop();
    await db.drop();
  });

  it('when the relay is SIGKILLed after the broker confirmed but before marking, then a restarted relay publishes again and the effect is applied once', async () => {
    const ids = await commitEvents(db.prisma, counted, [
      { subject: 'order-1', sequence: 1 },
      { subject: 'order-2', sequence: 1 },
      { subject: 'order-1', sequence: 2 },
    ]);

    const doomed = spawnRelay(db.url, { RELAY_PAUSE_BEFORE_MARK_MS: '60000' });
    await waitFor('the relay to publish and pause before marking', async () => doomed.lines.some((line) => line.includes('relay.paused-before-mark')), 30_000);
    // The broker has the messages; the consumer applies them while the relay is frozen.
    await waitFor('first delivery applied', async () => (await effectsOf(db.prisma, queue)).length === 3);
    doomed.child.kill('SIGKILL');
    assert.equal(await doomed.exited, 'SIGKILL');
    assert.equal(await db.prisma.outboxEvent.count({ where: { publishedAt: null } }), 3, 'rows stay unsent after the crash');

    const restarted = spawnRelay(db.url);
    try {
      await waitFor('the restarted relay to mark every row sent', async () => (await db.prisma.outboxEvent.count({ where: { publishedAt: null } })) === 0);
      await waitFor('the redelivered duplicates to be seen', async () => consumer.outcomes.filter((outcome) => outcome === 'duplicate').length === 3);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }

    const effects = await effectsOf(db.prisma, queue);
    assert.deepEqual(effects.map((effect) => effect.eventId).sort(), [...ids].sort(), 'each event applied exactly once');
    assert.equal(consumer.outcomes.filter((outcome) => outcome === 'applied').length, 3);
  });
});
