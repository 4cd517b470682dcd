/**
 * A fresh ledger database per test file, cloned from the migrated template that `pnpm test`
 * prepares (e2etpl_ledger: nothing stays connected to it), with the service's own data access.
 */
import pg from 'pg';
import { databaseUrl, PG_ADMIN_URL, uniqueName } from '../../../../shared/test/support/env.ts';
import { E2E_TEMPLATE_PREFIX } from '../../../../scripts/databases.ts';
import { connectDatabase } from '../../src/data-access/database.ts';
import { ledgerStore, type LedgerSettings } from '../../src/data-access/ledger-store.ts';
import type { LedgerContext } from '../../src/domain/ports.ts';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const SETTINGS: LedgerSettings = { defaultFee: { bps: 290, fixedMinor: 30n }, hotAccountSlots: 8 };

export async function createLedgerDatabase(poolSize = 20) {
  const name = uniqueName('ledger');
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_ledger"`);
  const url = databaseUrl(name);
  const db = connectDatabase(url, poolSize);
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  // An idle client the server terminates (a DROP … WITH (FORCE), a restart) emits 'error' on the
  // pool; unheard, that is an uncaught exception failing the file after its tests passed.
  raw.on('error', () => undefined);
  return {
    db,
    raw,
    /** Runs a use case in its own transaction, as the consumer does. */
    inTransaction<R>(work: (context: LedgerContext) => Promise<R>, eventId = 'test-event'): Promise<R> {
      return db.transaction((tx) => work({ store: ledgerStore(tx, SETTINGS), publish: async () => undefined, cause: { eventId, correlationId: 'test-correlation' } }));
    },
    async drop() {
      await db.$disconnect();
      await raw.end();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
