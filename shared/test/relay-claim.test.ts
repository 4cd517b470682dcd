import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfirmPublisher } from '../src/amqp/confirm-publisher.ts';
import { OutboxRelay } from '../src/outbox/relay.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, logger } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL } from './support/env.ts';
import { OUTBOX_PARTITIONS, partitionOf } from '../src/outbox/partition.ts';

describe('the relay claims partitions that have unsent rows', () => {
  let db: TestbedDatabase;
  before(async () => {
    db = await createTestbedDatabase();
  });
  after(async () => db.drop());

  it('when one row waits and a round may claim a single partition, then that round claims its partition and publishes it', async () => {
    const counted = uniqueCounterEvent();
    const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-relay-claim', logger);
    // One partition per round: a claim that picked partitions at random would find the row
    // in one round of 32; every round below must find it.
    const relay = new OutboxRelay({ databaseUrl: db.url, publisher, logger, partitionsPerClaim: 1, lanes: 1 });
    try {
      for (let round = 0; round < 10; round += 1) {
        await commitEvents(db.prisma, counted, [{ subject: `aggregate-${round}`, sequence: round }]);
        assert.equal((await relay.relayOnce()).published, 1, `round ${round}`);
      }
      assert.deepEqual(await relay.relayOnce(), { published: 0, more: false }, 'nothing left');
    } finally {
      await relay.stop();
      await connection.close().catch(() => undefined);
    }
  });
  it('when every partition has an unsent row and a round may claim two, then the round publishes two rows and the rest stay for later rounds', async () => {
    const counted = uniqueCounterEvent();
    const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-relay-claim', logger);
    // One subject per partition: a claim whose lock call ran on every partition (no LIMIT between
    // them) would own all of them and publish every row in one round.
    const subjects = new Map<number, string>();
    for (let i = 0; subjects.size < OUTBOX_PARTITIONS; i += 1) subjects.set(partitionOf(`spread-${i}`), `spread-${i}`);
    await commitEvents(db.prisma, counted, [...subjects.values()].map((subject, sequence) => ({ subject, sequence })));
    const relay = new OutboxRelay({ databaseUrl: db.url, publisher, logger, partitionsPerClaim: 2, lanes: 1 });
    try {
      assert.deepEqual(await relay.relayOnce(), { published: 2, more: true }, 'two partitions owned: there may be more');
      let rest = 0;
      for (let round = 0; round < OUTBOX_PARTITIONS; round += 1) rest += (await relay.relayOnce()).published;
      assert.equal(rest, OUTBOX_PARTITIONS - 2, 'each row published once, in later rounds');
    } finally {
      await relay.stop();
      await connection.close().catch(() => undefined);
    }
  });
  it('when every partition has an unsent row and a round may own them all, then one round finds every partition and publishes every row', async () => {
    const counted = uniqueCounterEvent();
    const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-relay-claim', logger);
    // Neighbouring partitions all waiting: a skip through the index that stepped over one would leave rows behind.
    const subjects = new Map<number, string>();
    for (let i = 0; subjects.size < OUTBOX_PARTITIONS; i += 1) subjects.set(partitionOf(`every-${i}`), `every-${i}`);
    await commitEvents(db.prisma, counted, [...subjects.values()].map((subject, sequence) => ({ subject, sequence })));
    const relay = new OutboxRelay({ databaseUrl: db.url, publisher, logger, partitionsPerClaim: OUTBOX_PARTITIONS, lanes: 1 });
    try {
      assert.equal((await relay.relayOnce()).published, OUTBOX_PARTITIONS);
      assert.equal((await relay.relayOnce()).published, 0, 'nothing left');
    } finally {
      await relay.stop();
      await connection.close().catch(() => undefined);
    }
  });
  it('when one commit fills more partitions than a round may own, then the running relay publishes them all without another commit or a poll', async () => {
    const counted = uniqueCounterEvent();
    const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-relay-claim', logger);
    // A poll far beyond the test: only the relay's own "there may be more" can finish the job.
    const relay = new OutboxRelay({ databaseUrl: db.url, publisher, logger, partitionsPerClaim: 2, lanes: 1, pollIntervalMs: 600_000 });
    const running = relay.run();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // listening
      const subjects = new Map<number, string>();
      for (let i = 0; subjects.size < 5; i += 1) subjects.set(partitionOf(`fanned-${i}`), `fanned-${i}`);
      const ids = await commitEvents(db.prisma, counted, [...subjects.values()].map((subject, sequence) => ({ subject, sequence })));
      const unsent = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL', [ids])).rows[0]!.n);
      for (let waited = 0; (await unsent()) > 0 && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await unsent(), 0, 'every row published after the one NOTIFY');
    } finally {
      await relay.stop();
      await running;
      await connection.close().catch(() => undefined);
    }
  });
});
