import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeEvents } from '../src/outbox/write-events.ts';
import { LedgerEntryRecorded } from '../src/events/catalog.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, recordingHandler, SOURCE, startRelay, type ConsumerHandle } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { sleep, waitFor } from './support/wait.ts';

describe('outbox: publish if and only if the transaction commits', () => {
  let db: TestbedDatabase;
  let consumer: ConsumerHandle;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const counted = uniqueCounterEvent();
  const queue = uniqueName('q_commit');

  before(async () => {
    db = await createTestbedDatabase();
    consumer = await consume(db, queue, [recordingHandler(queue, counted)]);
    relay = await startRelay(db.url);
  });
  after(async () => {
    await relay.stop();
    await consumer.stop();
    await db.drop();
  });

  it('when a transaction that wrote an event rolls back, then the event is never written nor published', async () => {
    await assert.rejects(
      db.prisma.$transaction(async (tx) => {
        await writeEvents(tx, [{ definition: counted, subject: 'rolled-back', data: { sequence: 1 } }], { source: SOURCE });
        throw new Error('business rule failed after the write');
      }),
      /business rule failed/,
    );
    // A committed event written afterwards is delivered; by then the rolled-back one would have been too.
    await commitEvents(db.prisma, counted, [{ subject: 'marker', sequence: 2 }]);
    await waitFor('the marker event', async () => (await effectsOf(db.prisma, queue)).length === 1);
    await sleep(300);
    const effects = await effectsOf(db.prisma, queue);
    assert.deepEqual(effects.map((effect) => effect.aggregateId), ['marker']);
    assert.equal(await db.prisma.outboxEvent.count({ where: { aggregateId: 'rolled-back' } }), 0);
  });

  it('when a transaction that wrote an event commits, then it is published, applied and stamped published', async () => {
    const [eventId] = await commitEvents(db.prisma, counted, [{ subject: 'committed', sequence: 7 }]);
    const effect = await waitFor('the committed event to be applied', async () => (await effectsOf(db.prisma, queue)).find((row) => row.eventId === eventId));
    assert.equal(effect.sequence, 7);
    const row = await waitFor('published_at', async () => {
      const outbox = await db.prisma.outboxEvent.findFirst({ where: { eventId: eventId! } });
      return outbox?.publishedAt ? outbox : undefined;
    });
    assert.equal(row.routingKey, counted.type);
  });

  it('when an event no queue consumes is written, then it is kept already marked sent, so the relay never spends a round on it; others wait for the relay', async () => {
    const orderId = '7a4c9f3e-5b1d-4e2a-9c8f-1d2e3f4a5b6c';
    const marks = await db.prisma.$transaction(async (tx) => {
      const [unconsumed, counter] = await writeEvents(
        tx,
        [
          { definition: LedgerEntryRecorded, subject: orderId, data: { orderId, transferId: `charge:${orderId}`, kind: 'charge', amountMinor: 100, currency: 'EUR' } },
          { definition: counted, subject: 'routed', data: { sequence: 3 } },
        ],
        { source: SOURCE },
      );
      // Read before the commit: no relay can have touched these rows yet.
      const rows = await tx.outboxEvent.findMany({ where: { eventId: { in: [unconsumed!.id, counter!.id] } } });
      return Object.fromEntries(rows.map((row) => [row.routingKey, row.publishedAt !== null]));
    });
    assert.deepEqual(marks, { [LedgerEntryRecorded.type]: true, [counted.type]: false });
  });

  it('when data does not match the event schema, then writeEvents refuses it and nothing is written', async () => {
    await assert.rejects(
      db.prisma.$transaction((tx) => writeEvents(tx, [{ definition: counted, subject: 'bad', data: { sequence: -1 } }], { source: SOURCE })),
      /refusing to publish invalid/,
    );
    assert.equal(await db.prisma.outboxEvent.count({ where: { aggregateId: 'bad' } }), 0);
  });
});
