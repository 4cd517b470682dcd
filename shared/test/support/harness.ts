/** Building blocks the backbone tests share: writing events, consuming them, running relays. */
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import amqp from 'amqplib';
import { ownedQueueNames } from '../../src/amqp/topology.ts';
import path from 'node:path';
import { createLogger } from '../../src/logger.ts';
import { writeEvents } from '../../src/outbox/write-events.ts';
import { on, type EventHandler } from '../../src/consumer/handler.ts';
import { startConsumer, type ConsumerOptions, type RunningConsumer } from '../../src/consumer/start-consumer.ts';
import type { Outcome } from '../../src/consumer/handle-delivery.ts';
import type { uniqueCounterEvent } from './test-events.ts';
import { ConfirmPublisher } from '../../src/amqp/confirm-publisher.ts';
import { OutboxRelay } from '../../src/outbox/relay.ts';
import { AMQP_URL } from './env.ts';
import { createTestbedDatabase, type TestbedClient, type TestbedDatabase } from './testbed-db.ts';

type Counted = ReturnType<typeof uniqueCounterEvent>;
type Tx = Parameters<Parameters<TestbedClient['$transaction']>[0]>[0];

export const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const SOURCE = '/services/testbed';

/** Writes one committed transaction with these events (each {subject, sequence}). */
export async function commitEvents(prisma: TestbedClient, definition: Counted, events: Array<{ subject: string; sequence: number }>): Promise<string[]> {
  const envelopes = await prisma.$transaction((tx) =>
    writeEvents(tx, events.map((event) => ({ definition, subject: event.subject, data: { sequence: event.sequence } })), { source: SOURCE }),
  );
  return envelopes.map((envelope) => envelope.id);
}

/** A handler that records every application as a row; `behave` may throw to simulate failures. */
export function recordingHandler(consumer: string, definition: Counted, behave?: (sequence: number, attempt: number) => void): EventHandler<Tx> {
  const attempts = new Map<string, number>();
  return on<Counted, Tx>(definition, async (data, { tx, envelope }) => {
    const attempt = (attempts.get(envelope.id) ?? 0) + 1;
    attempts.set(envelope.id, attempt);
    behave?.(data.sequence, attempt);
    await tx.appliedEffect.create({ data: { consumer, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
  });
}

export interface ConsumerHandle extends RunningConsumer {
  outcomes: Outcome[];
}

export async function consume(db: TestbedDatabase, queue: string, handlers: EventHandler<Tx>[], retryDelaysMs: number[] = [50, 100, 200], options: Pick<ConsumerOptions<Tx>, 'parkedSweepMs' | 'concurrency' | 'batchSize' | 'onBatch' | 'lockBatchRows' | 'sqlTransaction' | 'statements'> = {}): Promise<ConsumerHandle> {
  const outcomes: Outcome[] = [];
  const running = await startConsumer<Tx>({
    amqpUrl: AMQP_URL,
    queue,
    source: SOURCE,
    handlers,
    transaction: (work) => db.prisma.$transaction(work),
    retryDelaysMs,
    logger,
    onOutcome: (outcome) => outcomes.push(outcome),
    ...options,
  });
  return {
    ...running,
    outcomes,
    // Test queues have unique names: delete them, or every run leaves quorum queues behind on a
    // broker that later runs share.
    async stop() {
      await running.stop();
      await deleteQueues(queue, retryDelaysMs);
    },
  };
}

/** Deletes a test's service queue with its DLQ and retry queues. */
export async function deleteQueues(queue: string, retryDelaysMs: readonly number[]): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  for (const name of ownedQueueNames(queue, retryDelaysMs)) {
    await channel.deleteQueue(name);
  }
  await connection.close();
}

/** An in-process relay over one database; stop() ends it and its connection. */
export async function startRelay(databaseUrl: string, options: { batchSize?: number } = {}) {
  const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-relay', logger);
  const relay = new OutboxRelay({ databaseUrl, publisher, logger, pollIntervalMs: 200, ...options });
  const running = relay.run();
  return {
    relay,
    async stop() {
      await relay.stop();
      await running;
      await connection.close().catch(() => undefined);
    },
  };
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** The real relay daemon as a child process, with its log lines collected. */
export function spawnRelay(databaseUrl: string, env: Record<string, string> = {}): { child: ChildProcess; lines: string[]; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/src/outbox/relay-daemon.ts'], {
    cwd: REPO_ROOT,
    // METRICS_PORT 0: any free port, so several relays can run side by side on this machine.
    env: { ...process.env, AMQP_URL, RELAY_DATABASE_URLS: databaseUrl, RELAY_POLL_INTERVAL_MS: '200', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, lines, exited };
}

export async function effectsOf(prisma: TestbedClient, consumer: string) {
  return prisma.appliedEffect.findMany({ where: { consumer }, orderBy: { id: 'asc' } });
}

/** For a suite: a fresh testbed database with an in-process relay over it, made before its tests and ended after. */
export function testbedForSuite(): { db: TestbedDatabase } {
  const suite = {} as { db: TestbedDatabase; relay: Awaited<ReturnType<typeof startRelay>> };
  before(async () => {
    suite.db = await createTestbedDatabase();
    suite.relay = await startRelay(suite.db.url);
  });
  after(async () => {
    await suite.relay?.stop();
    await suite.db?.drop();
  });
  return suite;
}
