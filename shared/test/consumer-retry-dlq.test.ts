import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { AppError } from '../src/errors.ts';
import { EVENTS_EXCHANGE } from '../src/outbox/write-events.ts';
import { RETRY_JITTER_FLOOR } from '../src/amqp/platform-topology.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, recordingHandler, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { peekDlq } from './support/dlq-reader.ts';
import { waitFor } from './support/wait.ts';

const RETRY_DELAYS_MS = [100, 400];

describe('consumer retries and dead-lettering', () => {
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

  it('when a handler fails transiently twice, then it is retried after growing delays and applied once', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_retry');
    const attemptTimes: number[] = [];
    const consumer = await consume(db, queue, [
      recordingHandler(queue, counted, (_sequence, attempt) => {
        attemptTimes.push(Date.now());
        if (attempt <= 2) throw new AppError('unavailable', `dependency down (attempt ${attempt})`);
      }),
    ], RETRY_DELAYS_MS);
    try {
      await commitEvents(db.prisma, counted, [{ subject: 'flaky', sequence: 1 }]);
      await waitFor('the third attempt to apply', async () => (await effectsOf(db.prisma, queue)).length === 1);
      assert.deepEqual(consumer.outcomes, ['retried', 'retried', 'applied']);
      // A TTL never expires early, so each gap is at least its configured delay, and the delays grow.
      // Jitter takes up to a fifth off each delay (RETRY_JITTER_FLOOR), never more.
      assert.ok(attemptTimes[1]! - attemptTimes[0]! >= RETRY_DELAYS_MS[0]! * RETRY_JITTER_FLOOR, 'first retry waited its delay');
      assert.ok(attemptTimes[2]! - attemptTimes[1]! >= RETRY_DELAYS_MS[1]! * RETRY_JITTER_FLOOR, 'second retry waited its longer delay');
    } finally {
      await consumer.stop();
    }
  });

  it('when a handler always fails, then after every attempt the message is in the DLQ with the reason and attempt count', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_exhaust');
    const consumer = await consume(db, queue, [
      recordingHandler(queue, counted, () => {
        throw new Error('ledger unreachable');
      }),
    ], RETRY_DELAYS_MS);
    try {
      const [eventId] = await commitEvents(db.prisma, counted, [{ subject: 'doomed', sequence: 1 }]);
      const [dead] = await peekDlq(queue, 1);
      const headers = dead!.properties.headers!;
      assert.equal(dead!.properties.messageId, eventId);
      assert.equal(headers['x-attempt'], RETRY_DELAYS_MS.length + 1);
      assert.equal(headers['x-failure-kind'], 'retries-exhausted');
      assert.match(String(headers['x-failure-reason']), /ledger unreachable/);
      assert.equal(headers['x-original-exchange'], EVENTS_EXCHANGE);
      assert.equal(headers['x-original-routing-key'], counted.type);
      assert.equal(headers['x-original-queue'], queue);
      assert.deepEqual(consumer.outcomes, ['retried', 'retried', 'dead-lettered']);
      assert.equal((await effectsOf(db.prisma, queue)).length, 0);
    } finally {
      await consumer.stop();
    }
  });

  it('when a message body fails validation or the handler rejects it as invalid, then it goes straight to the DLQ', async () => {
    const counted = uniqueCounterEvent();
    const queue = uniqueName('q_invalid');
    let handled = 0;
    const consumer = await consume(db, queue, [
      recordingHandler(queue, counted, (sequence) => {
        handled += 1;
        if (sequence === 99) throw new AppError('validation', 'sequence 99 is not allowed');
      }),
    ], RETRY_DELAYS_MS);
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      const valid = JSON.parse(JSON.stringify({
        specversion: '1.0', id: crypto.randomUUID(), source: '/test', type: counted.type, time: new Date().toISOString(),
        subject: 'x', datacontenttype: 'application/json', correlationid: 'c', traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, data: { sequence: 1 },
      })) as Record<string, unknown>;
      channel.publish(EVENTS_EXCHANGE, counted.type, Buffer.from('not json at all'), { messageId: 'm-not-json' });
      channel.publish(EVENTS_EXCHANGE, counted.type, Buffer.from(JSON.stringify({ ...valid, data: { sequence: 'one' } })), { messageId: 'm-bad-data' });
      await channel.waitForConfirms();
      await commitEvents(db.prisma, counted, [{ subject: 'refused', sequence: 99 }]);

      const dead = await peekDlq(queue, 3);
      for (const message of dead) {
        assert.equal(message.properties.headers!['x-attempt'], 1, 'never retried');
        assert.ok(['invalid'].includes(String(message.properties.headers!['x-failure-kind'])));
      }
      const reasons = dead.map((message) => String(message.properties.headers!['x-failure-reason'])).join('\n');
      assert.match(reasons, /not JSON/);
      assert.match(reasons, /invalid data for/);
      assert.match(reasons, /sequence 99 is not allowed/);
      assert.equal(handled, 1, 'the handler saw only the well-formed message');
      assert.equal((await effectsOf(db.prisma, queue)).length, 0);
    } finally {
      await connection.close();
      await consumer.stop();
    }
  });
});
