import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { on, onSql } from '../src/consumer/handler.ts';
import { AppError } from '../src/errors.ts';
import { PgSql, servicePool, sqlTransaction } from '../src/service/sql-transaction.ts';
import { commitEvents, consume, effectsOf, testbedForSuite } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';
import type { TestbedDatabase } from './support/testbed-db.ts';

type Tx = Parameters<Parameters<TestbedDatabase['prisma']['$transaction']>[0]>[0];

// Every type the stores read or send: bigint, both timestamps, uuid, jsonb, arrays, counts, nulls.
const PARITY_SQL = `SELECT id, consumer, sequence, applied_at, applied_at::timestamp AS applied_local, sequence::bigint * 1000000000000 AS big,
  ARRAY[consumer] AS names, jsonb_build_object('s', sequence) AS doc, count(*) OVER () AS total, NULL::text AS nothing,
  $1::timestamptz AS sent_at, $2::timestamp AS sent_local, $3::bigint AS sent_big, $4::uuid AS sent_uuid, $5::bigint[] AS sent_bigs
  FROM applied_effect WHERE consumer = $6 ORDER BY id`;

describe('transactions on plain pg', () => {
  const suite = testbedForSuite();

  it('when the same SQL runs on plain pg and through Prisma, then values and rows come back alike', async () => {
    const consumer = uniqueName('parity');
    await suite.db.prisma.appliedEffect.createMany({ data: [1, 2].map((sequence) => ({ consumer, aggregateId: 'a', eventId: `e${sequence}`, sequence })) });
    const at = new Date('2026-11-26T21:30:00.123Z');
    const values = [at, at, 12_345_678_901_234n, '3f1b9c2e-2a54-4b7e-9d0f-6b9e8e1c2a10', [1n, 2n], consumer];
    const viaPrisma = await suite.db.prisma.$transaction((tx) => tx.$queryRawUnsafe<unknown[]>(PARITY_SQL, ...values));
    const pool = servicePool(suite.db.url, 2);
    try {
      const viaPg = await sqlTransaction(pool, async (tx) => tx.$queryRawUnsafe<unknown[]>(PARITY_SQL, ...values));
      assert.equal(viaPg.length, 2);
      assert.deepEqual(viaPg, viaPrisma);
      const updated = await sqlTransaction(pool, async (tx) => tx.$executeRawUnsafe('UPDATE applied_effect SET sequence = sequence + 1 WHERE consumer = $1', consumer));
      assert.equal(updated, 2, 'the affected row count, as Prisma gives it');
    } finally {
      await pool.end();
    }
  });

  it('when the work throws, then nothing it wrote stays and the error is the caller\'s own', async () => {
    const consumer = uniqueName('rollback');
    const pool = servicePool(suite.db.url, 1);
    try {
      const failing = sqlTransaction(pool, async (tx) => {
        await tx.$executeRawUnsafe("INSERT INTO applied_effect (consumer, aggregate_id, event_id, sequence) VALUES ($1, 'a', 'e', 1)", consumer);
        throw new Error('the handler failed');
      });
      await assert.rejects(failing, /the handler failed/);
      // One connection in the pool: it came back, out of the failed transaction.
      const rows = await sqlTransaction(pool, async (tx) => tx.$queryRawUnsafe<unknown[]>('SELECT 1 FROM applied_effect WHERE consumer = $1', consumer));
      assert.equal(rows.length, 0);
    } finally {
      await pool.end();
    }
  });

  it('when the database cannot be reached, then the caller gets a dependency outage (a 503), not a bug', async () => {
    const pool = servicePool('postgresql://postgres@127.0.0.1:1/none', 1);
    try {
      await assert.rejects(sqlTransaction(pool, async () => undefined), (error: unknown) => error instanceof AppError && error.kind === 'unavailable');
    } finally {
      await pool.end();
    }
  });

  it('when a consumer has plain-pg transactions, then SQL-only handlers run on them and a batch with any other handler runs on Prisma', async () => {
    const sqlOnlyType = uniqueCounterEvent();
    const prismaType = uniqueCounterEvent();
    const queue = uniqueName('q_sql_only');
    const seen: boolean[] = [];
    const sqlOnly = onSql(sqlOnlyType, async (data, { tx, envelope }) => {
      seen.push(tx instanceof PgSql);
      await tx.$executeRawUnsafe('INSERT INTO applied_effect (consumer, aggregate_id, event_id, sequence) VALUES ($1, $2, $3, $4)', queue, envelope.subject, envelope.id, data.sequence);
    });
    // Uses Prisma's model API: given a plain-pg transaction it would throw, and its messages retry and dead-letter.
    const needsPrisma = on<typeof prismaType, Tx>(prismaType, async (data, { tx, envelope }) => {
      await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.sequence } });
    });
    const pool = servicePool(suite.db.url, 2);
    const running = await consume(suite.db, queue, [sqlOnly, needsPrisma], [50, 100], { sqlTransaction: (work) => sqlTransaction(pool, work) });
    try {
      await commitEvents(suite.db.prisma, sqlOnlyType, [1, 2, 3, 4, 5].map((sequence) => ({ subject: `alone-${sequence}`, sequence })));
      await waitFor('the SQL-only events applied', async () => seen.length === 5);
      assert.deepEqual(seen, [true, true, true, true, true], 'with only SQL-only handlers, the plain transaction');
      // Interleaved: batches hold both kinds.
      for (let round = 0; round < 5; round += 1) {
        await commitEvents(suite.db.prisma, prismaType, [{ subject: `mixed-p${round}`, sequence: 100 + round }]);
        await commitEvents(suite.db.prisma, sqlOnlyType, [{ subject: `mixed-s${round}`, sequence: 200 + round }]);
      }
      const effects = await waitFor('every event applied', async () => {
        const rows = await effectsOf(suite.db.prisma, queue);
        return rows.length === 15 && rows;
      });
      assert.equal(new Set(effects.map((row) => row.eventId)).size, 15, 'each applied once');
      assert.ok(!running.outcomes.includes('dead-lettered') && !running.outcomes.includes('retried'), `no handler got the wrong transaction: ${running.outcomes.join(',')}`);
    } finally {
      await running.stop();
      await pool.end();
    }
  });
});
