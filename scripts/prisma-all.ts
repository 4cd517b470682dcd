/**
 * Runs a Prisma step for every service database under prisma/ (one folder each):
 *   generate  — generate each client (no database needed)
 *   deploy    — create the database if missing, apply pending migrations, then constraints.sql
 *   check     — fail if any schema and its migrations are out of sync
 * Database names are platform_<folder>; the server comes from PG_URL (default: local, trust auth).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseUrlFor, PG_URL } from './databases.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PRISMA_DIR = path.join(ROOT, 'prisma');
const PRISMA_BIN = path.join(ROOT, 'node_modules/.bin/prisma');

export const serviceSchemas = readdirSync(PRISMA_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && existsSync(path.join(PRISMA_DIR, entry.name, 'prisma.config.ts')))
  .map((entry) => entry.name);

/** Runs the Prisma CLI for one service; its chatter is shown only when it fails. */
function prisma(service: string, args: string[]): void {
  try {
    execFileSync(PRISMA_BIN, [...args, '--config', path.join(PRISMA_DIR, service, 'prisma.config.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: databaseUrlFor(service) },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
    throw error;
  }
}

/** CHECK constraints live beside the migrations (the offline engine cannot introspect them). */
async function applyConstraints(service: string): Promise<void> {
  const file = path.join(PRISMA_DIR, service, 'constraints.sql');
  if (!existsSync(file)) return;
  const client = new pg.Client({ connectionString: databaseUrlFor(service) });
  await client.connect();
  try {
    await client.query(`BEGIN; ${readFileSync(file, 'utf8')}; COMMIT;`);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(service: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const name = new URL(databaseUrlFor(service)).pathname.slice(1);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

const step = process.argv[2];
for (const service of serviceSchemas) {
  const dir = path.join(PRISMA_DIR, service);
  if (step === 'generate') {
    prisma(service, ['generate']);
  } else if (step === 'deploy') {
    await ensureDatabase(service);
    prisma(service, ['migrate', 'deploy']);
    await applyConstraints(service);
  } else if (step === 'check') {
    try {
      prisma(service, ['migrate', 'diff', '--from-migrations', path.join(dir, 'migrations'), '--to-schema-datamodel', dir, '--exit-code']);
    } catch {
      process.stderr.write(`prisma/${service}: schema and migrations differ — add a migration (see README)\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: prisma-all.ts generate|deploy|check\n');
    process.exit(2);
  }
  process.stdout.write(`prisma/${service}: ${step} ok\n`);
}
