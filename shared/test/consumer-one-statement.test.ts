import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import amqp from 'amqplib';
import { on, type EventHandler } from '../src/consumer/handler.ts';
import { CLOUDEVENTS_CONTENT_TYPE, createEnvelope } from '../src/envelope.ts';
import { PgSql } from '../src/service/sql-transaction.ts';
import type { TestbedClient } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, SOURCE, testbedForSuite } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';

type Counted = ReturnType<typeof uniqueCounterEvent>;
type Tx = Parameters<Parameters<TestbedClient['$transaction']>[0]>[0];

/**
 * Records each application, saying which way it came: its one-statement form or its transaction.
 * While `failing` says so, the statement fails inside PostgreSQL (after its inbox row was
 * written in it): nothing of it may stay, or the retry would be skipped as a duplicate.
 */
function recordingBothWays(queue: string, counted: Counted, follow: Counted, failing: (subject: string, sequence: number) => boolean) {
  const ways: Array<{ sequence: number; way: 'statement' | 'transaction' }> = [];
  const viaTransaction = on<Counted, Tx>(counted, async (data, { tx, envelope }) => {
    ways.push({ sequence: data.sequence, way: 'transaction' });
    await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
  });
  const handler: EventHandler<Tx> = {
    ...viaTransaction,
    inOneStatement: async (data, { envelope, param, admitted }) => {
      const { sequence } = data as { sequence: number };
      const value = failing(envelope.subject, sequence) ? `${param(sequence)}::int / 0` : `${param(sequence)}::int`;
      return {
        change: `INSERT INTO applied_effect (consumer, aggregate_id, event_id, sequence) SELECT ${param(queue)}, ${param(envelope.subject)}, ${param(envelope.id)}, ${value} WHERE ${admitted} RETURNING 1`,
        events: [{ definition: follow, subject: envelope.subject, data: { sequence } }],
        whenChanged: () => ways.push({ sequence, way: 'statement' }),
      };
    },
  };
  return { handler, ways };
}

describe('a lone message applied in one statement', () => {
  const suite = testbedForSuite();
  const statements = () => new PgSql(suite.db.pool);

  it('when a message and a copy of it arrive, then its change and its event are written once, with the message as their cause', async () => {
    const [counted, follow] = [uniqueCounterEvent(), uniqueCounterEvent()];
    const queue = uniqueName('q_one_stmt');
    const both = recordingBothWays(queue, counted, follow, () => false);
    const consumer = await consume(suite.db, queue, [both.handler], [50, 100], { statements: statements() });
    try {
      const envelope = createEnvelope(SOURCE, { definition: counted, subject: 'order-1', data: { sequence: 1 } });
      const connection = await amqp.connect(AMQP_URL);
      const channel = await connection.createConfirmChannel();
      for (let copy = 0; copy < 2; copy += 1) {
        channel.sendToQueue(queue, Buffer.from(JSON.stringify(envelope)), { messageId: envelope.id, type: envelope.type, contentType: CLOUDEVENTS_CONTENT_TYPE, persistent: true });
      }
      await channel.waitForConfirms();
      await connection.close();
      await waitFor('both copies settled', async () => consumer.outcomes.length === 2);
      assert.deepEqual([...consumer.outcomes].sort(), ['applied', 'duplicate']);
      assert.deepEqual(both.ways, [{ sequence: 1, way: 'statement' }]);
      assert.equal((await effectsOf(suite.db.prisma, queue)).length, 1);
      const written = await suite.db.pool.query<{ envelope: string }>('SELECT envelope FROM outbox WHERE routing_key = $1', [follow.type]);
      assert.equal(written.rows.length, 1, 'its event written once');
      const caused = JSON.parse(written.rows[0]!.envelope) as { causationid: string; correlationid: string };
      assert.equal(caused.causationid, envelope.id);
      assert.equal(caused.correlationid, envelope.correlationid);
    } finally {
      await consumer.stop();
    }
  });

  it('when its statement fails, then nothing of it stays: it is retried, its subject’s next message parks behind it, and both apply in order', async () => {
    const [counted, follow] = [uniqueCounterEvent(), uniqueCounterEvent()];
    const queue = uniqueName('q_one_stmt_retry');
    let failing = true;
    const both = recordingBothWays(queue, counted, follow, (subject, sequence) => failing && subject === 'stuck' && sequence === 1);
    const consumer = await consume(suite.db, queue, [both.handler], Array<number>(20).fill(300), { statements: statements() });
    try {
      for (const [subject, sequence] of [['stuck', 1], ['stuck', 2], ['free', 1]] as const) await commitEvents(suite.db.prisma, counted, [{ subject, sequence }]);
      await waitFor('the other order applied', async () => (await effectsOf(suite.db.prisma, queue)).some((effect) => effect.aggregateId === 'free'));
      await waitFor('the stuck order’s next event parked', async () => consumer.outcomes.includes('parked'));
      assert.ok(consumer.outcomes.includes('retried'));
      assert.equal((await effectsOf(suite.db.prisma, queue)).filter((effect) => effect.aggregateId === 'stuck').length, 0);
      failing = false;
      await waitFor('the stuck order caught up', async () => (await effectsOf(suite.db.prisma, queue)).filter((effect) => effect.aggregateId === 'stuck').length === 2);
      const stuck = (await effectsOf(suite.db.prisma, queue)).filter((effect) => effect.aggregateId === 'stuck').map((effect) => effect.sequence);
      assert.deepEqual(stuck, [1, 2]);
      // Behind a retried message the parking rules decide, in a transaction.
      assert.deepEqual(both.ways.filter((way) => way.way === 'transaction').map((way) => way.sequence), [1, 2]);
      const follows = await suite.db.pool.query('SELECT 1 FROM outbox WHERE routing_key = $1', [follow.type]);
      assert.equal(follows.rows.length, 1, 'only the statement form writes the follow-up event here: the failed try left none');
    } finally {
      await consumer.stop();
    }
  });
});
