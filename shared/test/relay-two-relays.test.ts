import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { EVENTS_EXCHANGE } from '../src/outbox/write-events.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, spawnRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL } from './support/env.ts';
import { waitFor } from './support/wait.ts';

const AGGREGATES = 100;
const EVENTS_PER_AGGREGATE = 100;

describe('two relays at once', () => {
  let db: TestbedDatabase;
  before(async () => {
    db = await createTestbedDatabase();
  });
  after(async () => db.drop());

  it('when two relay processes drain 10,000 events written concurrently, then every event arrives and each aggregate in commit order', async () => {
    const counted = uniqueCounterEvent();
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, counted.type);
    const arrivals: Array<{ id: string; subject: string; sequence: number }> = [];
    await channel.consume(queue, (message) => {
      if (!message) return;
      const envelope = JSON.parse(message.content.toString()) as { id: string; subject: string; data: { sequence: number } };
      arrivals.push({ id: envelope.id, subject: envelope.subject, sequence: envelope.data.sequence });
    }, { noAck: true });

    const relays = [spawnRelay(db.url, { LOG_LEVEL: 'debug', RELAY_BATCH_SIZE: '200' }), spawnRelay(db.url, { LOG_LEVEL: 'debug', RELAY_BATCH_SIZE: '200' })];
    try {
      // Both running before the first commit: a relay still starting (tsx on a busy machine) while
      // the other drains all 10,000 would leave nothing to share, and prove nothing about two.
      await waitFor('both relays started', async () => relays.every((relay) => relay.lines.some((line) => line.includes('"msg":"relay started"'))), 60_000, 100);
      // Each transaction carries the next sequence number of every aggregate.
      for (let sequence = 1; sequence <= EVENTS_PER_AGGREGATE; sequence++) {
        await commitEvents(db.prisma, counted, Array.from({ length: AGGREGATES }, (_, aggregate) => ({ subject: `agg-${aggregate}`, sequence })));
      }
      await waitFor('all 10,000 events to arrive', async () => new Set(arrivals.map((arrival) => arrival.id)).size === AGGREGATES * EVENTS_PER_AGGREGATE, 120_000, 200);
      await waitFor('every row to be marked', async () => (await db.prisma.outboxEvent.count({ where: { publishedAt: null } })) === 0);
    } finally {
      for (const relay of relays) relay.child.kill('SIGTERM');
      await Promise.all(relays.map((relay) => relay.exited));
      await connection.close();
    }

    const lastSeen = new Map<string, number>();
    for (const arrival of arrivals) {
      const previous = lastSeen.get(arrival.subject) ?? 0;
      assert.ok(arrival.sequence > previous, `${arrival.subject}: ${arrival.sequence} arrived after ${previous}`);
      lastSeen.set(arrival.subject, arrival.sequence);
    }
    assert.equal(arrivals.length, AGGREGATES * EVENTS_PER_AGGREGATE, 'no duplicates without a crash');
    for (const [index, relay] of relays.entries()) {
      assert.ok(relay.lines.some((line) => line.includes('"msg":"relayed"')), `relay ${index} published a share`);
    }
  });
});
