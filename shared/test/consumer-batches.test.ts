import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import amqp from 'amqplib';
import { on } from '../src/consumer/handler.ts';
import { EVENTS_EXCHANGE } from '../src/outbox/write-events.ts';
import { createEnvelope, CLOUDEVENTS_CONTENT_TYPE } from '../src/envelope.ts';
import type { TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, SOURCE, testbedForSuite } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { peekDlq } from './support/dlq-reader.ts';
import { waitFor } from './support/wait.ts';

const RETRY_DELAYS_MS = [50, 100];
type Counted = ReturnType<typeof uniqueCounterEvent>;

/**
 * One batch at a time; the first message's handler waits for `open()`, so everything published
 * meanwhile is held by the consumer and forms the next batch together.
 */
function gatedConsumer(db: TestbedDatabase, queue: string, counted: Counted, failOn: (sequence: number) => boolean = () => false) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const batches: Array<{ size: number; committed: boolean }> = [];
  const handler = on<Counted, Parameters<Parameters<TestbedDatabase['prisma']['$transaction']>[0]>[0]>(counted, async (data, { tx, envelope }) => {
    if (envelope.subject === 'gate') await gate;
    if (failOn(data.sequence)) throw new Error(`poison ${data.sequence}`);
    await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
  });
  const consumer = consume(db, queue, [handler], RETRY_DELAYS_MS, { concurrency: 1, batchSize: 50, onBatch: (size, committed) => batches.push({ size, committed }) });
  return { consumer, batches, open: () => open() };
}

describe('consumers apply many messages per transaction', () => {
  const suite = testbedForSuite();

  it('when a batch holds one poison message, then the others are applied once and only the poison one goes to retry and the DLQ', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_batch_poison');
    const gated = gatedConsumer(suite.db, queue, counted, (sequence) => sequence === 5);
    const consumer = await gated.consumer;
    try {
      await commitEvents(suite.db.prisma, counted, [{ subject: 'gate', sequence: 0 }]);
      // The relay publishes partition by partition: the gate must be in hand before the rest is written.
      await waitFor('the gate message held', async () => consumer.held() === 1);
      const [poisonId] = await commitEvents(suite.db.prisma, counted, [{ subject: 'poisoned', sequence: 5 }]);
      await commitEvents(suite.db.prisma, counted, [1, 2, 3, 4, 6, 7, 8, 9].map((sequence) => ({ subject: `order-${sequence}`, sequence })));
      await waitFor('every message held by the consumer', async () => consumer.held() === 10);
      gated.open();
      const [dead] = await peekDlq(queue, 1);
      assert.equal(dead!.properties.messageId, poisonId);
      assert.equal(dead!.properties.headers!['x-attempt'], RETRY_DELAYS_MS.length + 1);
      const effects = await waitFor('the nine good messages applied', async () => {
        const rows = await effectsOf(suite.db.prisma, queue);
        return rows.length === 9 && rows;
      });
      assert.deepEqual(effects.map((row) => row.sequence).sort((a, b) => a - b), [0, 1, 2, 3, 4, 6, 7, 8, 9]);
      assert.equal(new Set(effects.map((row) => row.eventId)).size, 9, 'each applied once');
      assert.ok(gated.batches.some((batch) => !batch.committed && batch.size === 9), `the nine held messages were tried as one batch and split: ${JSON.stringify(gated.batches)}`);
      // Outcomes are reported after the effect committed or the DLQ copy was confirmed: wait for them.
      const count = (outcome: string) => consumer.outcomes.filter((seen) => seen === outcome).length;
      await waitFor('every outcome reported', async () => count('applied') + count('dead-lettered') === 10);
      assert.equal(count('applied'), 9);
      assert.equal(count('dead-lettered'), 1);
    } finally {
      gated.open(); // a failed wait must not leave the consumer's running batch blocked
      await consumer.stop();
    }
  });

  it('when a batch holds two events of one aggregate, then they are applied in order in one transaction', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_batch_order');
    const gated = gatedConsumer(suite.db, queue, counted);
    const consumer = await gated.consumer;
    try {
      await commitEvents(suite.db.prisma, counted, [{ subject: 'gate', sequence: 0 }]);
      await waitFor('the gate message held', async () => consumer.held() === 1);
      await commitEvents(suite.db.prisma, counted, [{ subject: 'other', sequence: 10 }, { subject: 'aggregate', sequence: 1 }]);
      await commitEvents(suite.db.prisma, counted, [{ subject: 'aggregate', sequence: 2 }, { subject: 'other-2', sequence: 11 }]);
      await commitEvents(suite.db.prisma, counted, [{ subject: 'aggregate', sequence: 3 }]);
      await waitFor('every message held by the consumer', async () => consumer.held() === 6);
      gated.open();
      await waitFor('all applied', async () => (await effectsOf(suite.db.prisma, queue)).length === 6);
      const ofAggregate = (await effectsOf(suite.db.prisma, queue)).filter((row) => row.aggregateId === 'aggregate');
      assert.deepEqual(ofAggregate.map((row) => row.sequence), [1, 2, 3]);
      assert.deepEqual(gated.batches, [{ size: 5, committed: true }]);
    } finally {
      gated.open(); // a failed wait must not leave the consumer's running batch blocked
      await consumer.stop();
    }
  });

  it('when one batch holds the same message twice, then it is applied once', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_batch_twice');
    const gated = gatedConsumer(suite.db, queue, counted);
    const consumer = await gated.consumer;
    const connection = await amqp.connect(AMQP_URL);
    try {
      await commitEvents(suite.db.prisma, counted, [{ subject: 'gate', sequence: 0 }]);
      await waitFor('the gate message held', async () => consumer.held() === 1);
      // A duplicate delivery, as a relay that crashed before marking its row sent would make.
      const envelope = createEnvelope(SOURCE, { definition: counted, subject: 'twice', data: { sequence: 7 } });
      const channel = await connection.createConfirmChannel();
      for (let copy = 0; copy < 2; copy++) channel.publish(EVENTS_EXCHANGE, counted.type, Buffer.from(JSON.stringify(envelope)), { messageId: envelope.id, contentType: CLOUDEVENTS_CONTENT_TYPE, persistent: true });
      await channel.waitForConfirms();
      await waitFor('both copies held', async () => consumer.held() === 3);
      gated.open();
      await waitFor('the gate and one copy applied', async () => consumer.outcomes.length === 3);
      assert.deepEqual([...consumer.outcomes].sort(), ['applied', 'applied', 'duplicate']);
      assert.equal((await effectsOf(suite.db.prisma, queue)).filter((row) => row.eventId === envelope.id).length, 1);
      assert.deepEqual(gated.batches, [{ size: 2, committed: true }]);
    } finally {
      gated.open();
      await connection.close();
      await consumer.stop();
    }
  });

  it('when handlers leave work for the end of their transaction, then it runs once per transaction, after every handler of a batch', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_batch_closing');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Per attempt (its `beforeCommit` names it): how many handlers ran before the closing work.
    const handledIn = new WeakMap<object, number>();
    const handler = on<Counted, Parameters<Parameters<TestbedDatabase['prisma']['$transaction']>[0]>[0]>(counted, async (data, { tx, envelope, beforeCommit }) => {
      if (envelope.subject === 'gate') await gate;
      assert.ok(beforeCommit, 'the consumer offers closing work');
      await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
      const before = handledIn.get(beforeCommit);
      handledIn.set(beforeCommit, (before ?? 0) + 1);
      if (before === undefined) {
        beforeCommit(async () => {
          await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: 'closing', eventId: `closing-${envelope.id}`, sequence: handledIn.get(beforeCommit)! } });
        });
      }
    });
    const batches: Array<{ size: number; committed: boolean }> = [];
    const consumer = await consume(suite.db, queue, [handler], RETRY_DELAYS_MS, { concurrency: 1, batchSize: 50, onBatch: (size, committed) => batches.push({ size, committed }) });
    try {
      await commitEvents(suite.db.prisma, counted, [{ subject: 'gate', sequence: 0 }]);
      await waitFor('the gate message held', async () => consumer.held() === 1);
      await commitEvents(suite.db.prisma, counted, [1, 2, 3, 4].map((sequence) => ({ subject: `order-${sequence}`, sequence })));
      await waitFor('every message held by the consumer', async () => consumer.held() === 5);
      open();
      await waitFor('all applied', async () => (await effectsOf(suite.db.prisma, queue)).filter((row) => row.aggregateId !== 'closing').length === 5);
      const closing = await waitFor('both transactions closed', async () => {
        const rows = (await effectsOf(suite.db.prisma, queue)).filter((row) => row.aggregateId === 'closing');
        return rows.length === 2 && rows;
      });
      assert.deepEqual(batches, [{ size: 4, committed: true }]);
      // The gate alone (one handler, its own transaction), then the batch of four.
      assert.deepEqual(closing.map((row) => row.sequence).sort((a, b) => a - b), [1, 4]);
    } finally {
      open();
      await consumer.stop();
    }
  });

  it('when a consumer locks the shared rows of a batch first, then it is given the messages of the batch in its transaction before any handler runs', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_batch_locks');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const happened: string[] = [];
    const handler = on<Counted, Parameters<Parameters<TestbedDatabase['prisma']['$transaction']>[0]>[0]>(counted, async (data, { tx, envelope }) => {
      if (envelope.subject === 'gate') await gate;
      happened.push(`handled ${data.sequence}`);
      await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
    });
    const consumer = await consume(suite.db, queue, [handler], RETRY_DELAYS_MS, {
      concurrency: 1,
      batchSize: 50,
      lockBatchRows: async (tx, envelopes) => {
        happened.push(`locked ${envelopes.map((envelope) => (envelope.data as { sequence: number }).sequence).join(',')}`);
        // In the batch's transaction: rolled back with it, committed with it.
        await tx.$executeRawUnsafe('INSERT INTO applied_effect (consumer, aggregate_id, event_id, sequence) VALUES ($1, $2, $3, $4)', queue, 'locks', `locks-${envelopes[0]!.id}`, envelopes.length);
      },
    });
    try {
      await commitEvents(suite.db.prisma, counted, [{ subject: 'gate', sequence: 0 }]);
      await waitFor('the gate message held', async () => consumer.held() === 1);
      await commitEvents(suite.db.prisma, counted, [1, 2, 3].map((sequence) => ({ subject: `order-${sequence}`, sequence })));
      await waitFor('every message held by the consumer', async () => consumer.held() === 4);
      open();
      await waitFor('all applied', async () => (await effectsOf(suite.db.prisma, queue)).filter((row) => row.aggregateId !== 'locks').length === 4);
      // The gate came alone (nothing to lock against); the three that waited behind it formed a batch.
      assert.deepEqual(happened, ['handled 0', 'locked 1,2,3', 'handled 1', 'handled 2', 'handled 3']);
      assert.deepEqual((await effectsOf(suite.db.prisma, queue)).filter((row) => row.aggregateId === 'locks').map((row) => row.sequence), [3]);
    } finally {
      open();
      await consumer.stop();
    }
  });
});
