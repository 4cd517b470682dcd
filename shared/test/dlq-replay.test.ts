import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import amqp, { type ChannelModel } from 'amqplib';
import { replayDlq } from '../src/dlq/replay.ts';
import { browseDlq } from '../src/dlq/browse.ts';
import { dlqName } from '../src/amqp/topology.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, consume, effectsOf, logger, recordingHandler, startRelay, type ConsumerHandle } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL, uniqueName } from './support/env.ts';
import { peekDlq } from './support/dlq-reader.ts';
import { waitFor } from './support/wait.ts';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

describe('DLQ replay', () => {
  let db: TestbedDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let consumer: ConsumerHandle;
  let connection: ChannelModel;
  let broken = true;
  const counted = uniqueCounterEvent();
  const queue = uniqueName('q_replay');
  const dlqDepth = async () => {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(dlqName(queue));
    await channel.close();
    return messageCount;
  };

  before(async () => {
    db = await createTestbedDatabase();
    connection = await amqp.connect(AMQP_URL);
    // No retries: a failure goes to the DLQ at once.
    consumer = await consume(db, queue, [recordingHandler(queue, counted, () => {
      if (broken) throw new Error('bug in handler');
    })], []);
    relay = await startRelay(db.url);
    await commitEvents(db.prisma, counted, [
      { subject: 'alpha', sequence: 1 },
      { subject: 'alpha', sequence: 2 },
      { subject: 'beta', sequence: 1 },
    ]);
    await peekDlq(queue, 3);
  });
  after(async () => {
    await relay.stop();
    await consumer.stop();
    await connection.close();
    await db.drop();
  });

  it('when run as a dry run through the script, then it lists the matches and moves nothing', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'shared/src/dlq/replay-cli.ts', '--queue', queue, '--subject', 'alpha', '--dry-run'], { cwd: REPO_ROOT, env: { ...process.env, AMQP_URL } });
    assert.match(stdout, /examined 3, matched 2, replayed 0 \(dry run\)/);
    assert.equal((stdout.match(/^would-replay/gm) ?? []).length, 2);
    assert.match(stdout, /reason=Error: bug in handler/);
    assert.equal(await dlqDepth(), 3);
  });

  it('when the script is given a bad date, then it exits 2 with a clear message', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', 'shared/src/dlq/replay-cli.ts', '--queue', queue, '--since', 'yesterday'], { cwd: REPO_ROOT }),
      (error: { code?: number; stderr?: string }) => error.code === 2 && /--since must be an ISO date-time/.test(error.stderr ?? ''),
    );
  });

  it('when browsed (as the console does), then the matches are listed with why and when they first and last failed, and every message stays', async () => {
    const listing = await browseDlq(connection, queue, { subject: 'alpha' }, 10);
    assert.equal(listing.depth, 3);
    assert.deepEqual(listing.messages.map((message) => message.subject), ['alpha', 'alpha']);
    for (const message of listing.messages) {
      assert.match(message.reason ?? '', /bug in handler/);
      assert.ok(message.firstFailedAt && message.failedAt && message.firstFailedAt <= message.failedAt, JSON.stringify(message));
      assert.equal((message.body as { subject?: string }).subject, 'alpha');
    }
    assert.equal((await browseDlq(connection, queue, {}, 1)).messages.length, 1, 'no more than asked');
    assert.equal(await dlqDepth(), 3, 'browsing takes nothing out');
  });

  it('when replayed with a filter after the fix, then only the matches are processed, each once', async () => {
    broken = false;
    const report = await replayDlq(connection, { queue, filter: { subject: 'alpha', eventType: counted.type }, logger });
    assert.equal(report.replayed, 2);
    await waitFor('alpha applied', async () => (await effectsOf(db.prisma, queue)).length === 2);
    assert.deepEqual((await effectsOf(db.prisma, queue)).map((effect) => effect.aggregateId), ['alpha', 'alpha']);
    assert.equal(await dlqDepth(), 1);
  });

  it('when a time window excludes the rest, then nothing moves; when it includes it, then it is processed', async () => {
    const none = await replayDlq(connection, { queue, filter: { failedBefore: new Date(Date.now() - 3_600_000) }, logger });
    assert.equal(none.replayed, 0);
    assert.equal(await dlqDepth(), 1);
    const rest = await replayDlq(connection, { queue, filter: { failedAfter: new Date(Date.now() - 3_600_000) }, ratePerSecond: 50, logger });
    assert.equal(rest.replayed, 1);
    await waitFor('beta applied', async () => (await effectsOf(db.prisma, queue)).length === 3);
    assert.equal(await dlqDepth(), 0);
  });

  it('when a message that was already applied is replayed again, then it is skipped as a duplicate', async () => {
    const [applied] = await effectsOf(db.prisma, queue);
    const original = (await db.prisma.outboxEvent.findFirst({ where: { eventId: applied!.eventId } }))!;
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(dlqName(queue), Buffer.from(original.envelope), { messageId: original.eventId, headers: { 'x-original-queue': queue, 'x-failed-at': new Date().toISOString() } });
    await channel.waitForConfirms();
    await channel.close();
    const duplicatesBefore = consumer.outcomes.filter((outcome) => outcome === 'duplicate').length;
    assert.equal((await replayDlq(connection, { queue, logger })).replayed, 1);
    await waitFor('the duplicate to be skipped', async () => consumer.outcomes.filter((outcome) => outcome === 'duplicate').length === duplicatesBefore + 1);
    assert.equal((await effectsOf(db.prisma, queue)).length, 3, 'no effect applied twice');
  });
});
