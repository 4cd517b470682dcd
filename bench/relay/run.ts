/**
 * pnpm bench:relay [events]  — on demand, not in CI.
 * In one run, against the local servers:
 *   1. raw confirm rate: the same publisher call the relay uses (persistent, batches of 500,
 *      one confirm wait per batch), into a classic and into a quorum queue;
 *   2. the relay: N events committed to an outbox first, then drained by one relay and by
 *      two relays (each its own connections), timed from start to the last row marked sent.
 * Prints events/s and the relay's share of the raw quorum rate (target: at least half).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import amqp from 'amqplib';
import { ConfirmPublisher, type OutgoingMessage } from '../../shared/src/amqp/confirm-publisher.ts';
import { OutboxRelay } from '../../shared/src/outbox/relay.ts';
import { partitionOf } from '../../shared/src/outbox/partition.ts';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { createLogger } from '../../shared/src/logger.ts';
import { AMQP_URL, databaseUrl, PG_ADMIN_URL, TESTBED_TEMPLATE, uniqueName } from '../../shared/test/support/env.ts';

const EVENTS = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.env.RELAY_BATCH_SIZE ?? 1_000);
const LANES = Number(process.env.RELAY_LANES ?? 2);
const logger = createLogger('bench', 'warn');
const body = Buffer.from(JSON.stringify({ specversion: '1.0', id: randomUUID(), data: { padding: 'x'.repeat(400) } }));

async function rawConfirmRate(queueType: 'classic' | 'quorum'): Promise<number> {
  const connection = await amqp.connect(AMQP_URL);
  const setup = await connection.createChannel();
  const queue = `bench.raw.${queueType}.${process.pid}`;
  await setup.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': queueType } });
  const { publisher, connection: publisherConnection } = await ConfirmPublisher.connect(AMQP_URL, 'bench-raw', logger);
  const message: OutgoingMessage = { exchange: '', routingKey: queue, body, options: { persistent: true } };
  const batch = Array.from({ length: 500 }, () => message);
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += batch.length) await publisher.publishAll(batch);
  const seconds = (performance.now() - started) / 1000;
  await setup.deleteQueue(queue);
  await publisherConnection.close();
  await connection.close();
  return EVENTS / seconds;
}

async function relayRate(relays: number): Promise<number> {
  const name = uniqueName('bench');
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TESTBED_TEMPLATE}"`);
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url });
  const type = `bench.${name.replace('_', '-')}.v1`;
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  const queue = `bench.relay.${name}`;
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(queue, EVENTS_EXCHANGE, type);
  try {
    for (let written = 0; written < EVENTS; written += 1_000) {
      const ids = Array.from({ length: 1_000 }, () => randomUUID());
      const subjects = ids.map((_, i) => `agg-${(written + i) % 500}`);
      await pool.query(
        `INSERT INTO outbox (event_id, aggregate_id, partition_key, exchange, routing_key, envelope)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::text[])`,
        [ids, subjects, subjects.map(partitionOf), ids.map(() => EVENTS_EXCHANGE), ids.map(() => type), ids.map(() => body.toString())],
      );
    }
    const running = await Promise.all(
      Array.from({ length: relays }, async () => {
        const { publisher, connection: publisherConnection } = await ConfirmPublisher.connect(AMQP_URL, 'bench-relay', logger);
        return { relay: new OutboxRelay({ databaseUrl: url, publisher, logger, batchSize: BATCH, lanes: LANES, pollIntervalMs: 50 }), publisherConnection };
      }),
    );
    const started = performance.now();
    const loops = running.map(({ relay }) => relay.run());
    for (;;) {
      const { rowCount } = await pool.query('SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 1');
      if (rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(running.map(({ relay }) => relay.stop()));
    await Promise.all(loops);
    await Promise.all(running.map(({ publisherConnection }) => publisherConnection.close()));
    return EVENTS / seconds;
  } finally {
    await channel.deleteQueue(queue);
    await connection.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

const classic = await rawConfirmRate('classic');
const quorum = await rawConfirmRate('quorum');
const one = await relayRate(1);
const two = await relayRate(2);
const fmt = (rate: number) => `${Math.round(rate).toLocaleString('en')} events/s`;
console.log(`events per measurement: ${EVENTS.toLocaleString('en')} (persistent, ~${body.length} B, confirms)`);
console.log(`raw confirms, classic queue:  ${fmt(classic)}`);
console.log(`raw confirms, quorum queue:   ${fmt(quorum)}`);
console.log(`relay, 1 process:             ${fmt(one)}  (${Math.round((one / quorum) * 100)}% of raw quorum)`);
console.log(`relay, 2 processes:           ${fmt(two)}  (${Math.round((two / quorum) * 100)}% of raw quorum)`);
