/**
 * A fresh, migrated testbed database per test: cloned from the template that
 * `pnpm db:migrate` migrates, so tests never share rows.
 */
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/testbed/client.ts';
import { databaseUrl, PG_ADMIN_URL, TESTBED_TEMPLATE, uniqueName } from './env.ts';

export type TestbedClient = InstanceType<typeof PrismaClient>;

export interface TestbedDatabase {
  url: string;
  prisma: TestbedClient;
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestbedDatabase(): Promise<TestbedDatabase> {
  const name = uniqueName('tb');
  await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${TESTBED_TEMPLATE}"`));
  const url = databaseUrl(name);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // pool.end() resolves before the server has seen every connection close: the DROP … WITH (FORCE)
  // after it can still terminate one, and that error, unheard, fails the file after its tests passed.
  pool.on('error', () => undefined);
  return {
    url,
    prisma,
    pool,
    async drop() {
      await prisma.$disconnect();
      await pool.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
