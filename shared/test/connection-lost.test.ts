import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfirmPublisher } from '../src/amqp/confirm-publisher.ts';
import { OutboxRelay } from '../src/outbox/relay.ts';
import { claimAndMarkStatement } from '../src/outbox/relay-claim.ts';
import { servicePool, sqlTransaction } from '../src/service/sql-transaction.ts';
import { commitEvents, logger } from './support/harness.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { AMQP_URL } from './support/env.ts';
import { waitFor } from './support/wait.ts';

/**
 * PostgreSQL ends a connection while it is lent out of the pool (a restart, an administrator's
 * pg_terminate_backend). pg then emits 'error' on the client; with nobody listening that is an
 * uncaught exception, which kills a service or the relay (and fails these tests).
 */
/** The first line of the relay's claim, whatever its numbers: how pg_stat_activity tells a backend that has claimed. */
const CLAIM_OPENING = claimAndMarkStatement({ lockNamespace: 1, partitionsPerClaim: 1, batchSize: 1 }).text.trim().split('\n')[0]!;

describe('a pooled connection ended by PostgreSQL mid-transaction', () => {
  // No relay of the harness's here: the test's own relay must be the one that meets the row.
  const suite = {} as { db: TestbedDatabase };
  before(async () => {
    suite.db = await createTestbedDatabase();
  });
  after(async () => suite.db.drop());

  /** Ends every other backend of the database that sits inside a transaction (after a statement like `lastQuery`, when given); says how many. */
  async function terminateIdleInTransaction(url: string, lastQuery = '%'): Promise<number> {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE $1 AND pid <> pg_backend_pid()`, [lastQuery]);
      return ended.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  it('when the connection of a running transaction is terminated, then the transaction fails, the process lives on and the pool serves the next one', async () => {
    const pool = servicePool(suite.db.url, 1);
    try {
      const failed = await sqlTransaction(pool, async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1');
        assert.equal(await terminateIdleInTransaction(suite.db.url), 1, 'our backend was ended');
        // The client learns of it from its socket: wait until it has.
        await waitFor('the connection is gone', async () => tx.$queryRawUnsafe('SELECT 1').then(() => false, () => true));
        return tx.$queryRawUnsafe('SELECT 1');
      }).then(() => 'committed', (error: Error) => error.message);
      assert.notEqual(failed, 'committed');
      const rows = await sqlTransaction(pool, async (tx) => tx.$queryRawUnsafe<Array<{ ok: number }>>('SELECT 1 AS ok'));
      assert.deepEqual(rows, [{ ok: 1 }], 'the pool replaced the dead connection');
    } finally {
      await pool.end();
    }
  });

  it('when the relay loses its connection between publishing and marking, then the round fails, the relay lives on and publishes the rows again', async () => {
    const counted = uniqueCounterEvent();
    await commitEvents(suite.db.prisma, counted, [{ subject: 'lost-connection', sequence: 1 }]);
    const { publisher, connection } = await ConfirmPublisher.connect(AMQP_URL, 'test-connection-lost', logger);
    const relay = new OutboxRelay({ databaseUrl: suite.db.url, publisher, logger, lanes: 1, partitionsPerClaim: 32, pauseBeforeMarkMs: 1_000 });
    try {
      const round = relay.relayOnce();
      // Expected at once: the round may fail while the wait below still runs.
      const failed = assert.rejects(round, 'the round fails: its mark is not committed');
      // Only once it has claimed (its last statement the claim): between its BEGIN and the claim
      // the backend is idle in a transaction too, and ending it there loses no mark at all.
      await waitFor('the relay holding its claim open', async () => (await terminateIdleInTransaction(suite.db.url, `%${CLAIM_OPENING}%`)) === 1);
      await failed;
      // Once the ended backend is gone (and its partition lock with it), the unmarked row goes out again (at least once).
      const republished = await waitFor('the row published again', async () => (await relay.relayOnce()).published || false);
      assert.equal(republished, 1);
    } finally {
      await relay.stop();
      await connection.close().catch(() => undefined);
    }
  });
});
