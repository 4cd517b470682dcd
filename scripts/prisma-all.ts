/**
 * Runs a Prisma step for every service database under prisma/ (one folder each):
 *   generate  — generate each client (no database needed)
 *   deploy    — create the database if missing, apply pending migrations, then constraints.sql
 *   check     — fail if any schema and its migrations are out of sync
 * Database names are platform_<folder>; the server comes from PG_URL (default: local, trust auth).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseUrlFor, PG_URL } from './databases.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PRISMA_DIR = path.join(ROOT, 'prisma');
const PRISMA_BIN = path.join(ROOT, 'node_modules/.bin/prisma');
const run = promisify(execFile);

export const serviceSchemas = readdirSync(PRISMA_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && existsSync(path.join(PRISMA_DIR, entry.name, 'prisma.config.ts')))
  .map((entry) => entry.name);

/** Runs the Prisma CLI for one service; its chatter is shown only when it fails. */
async function prisma(service: string, args: string[]): Promise<void> {
  try {
    await run(PRISMA_BIN, [...args, '--config', path.join(PRISMA_DIR, service, 'prisma.config.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrlFor(service) },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    process.stderr.write(`prisma/${service}: ${args.join(' ')} failed\n${stdout ?? ''}${stderr ?? ''}`);
    throw error;
  }
}

/**
 * CHECK constraints and triggers live beside the migrations (the offline engine cannot
 * introspect them, and splits scripts at every `;`): the shared ones, then the service's own.
 */
async function applyConstraints(service: string): Promise<void> {
  // The shared ones only where the messaging tables are (the gateway simulator has none).
  const shared = existsSync(path.join(PRISMA_DIR, service, 'messaging.prisma')) ? [path.join(PRISMA_DIR, '_messaging', 'constraints.sql')] : [];
  const files = [...shared, path.join(PRISMA_DIR, service, 'constraints.sql')].filter((file) => existsSync(file));
  if (files.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrlFor(service) });
  await client.connect();
  try {
    await client.query(`BEGIN; ${files.map((file) => readFileSync(file, 'utf8')).join(';\n')}; COMMIT;`);
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

/**
 * Each Prisma CLI run costs seconds (its engine loads), and `pnpm test` generates and deploys on
 * every run: a step whose inputs have not changed is skipped. Generate's inputs are the schema
 * and config files and Prisma's version, stamped beside the client it wrote.
 */
function generatedStamp(service: string): { file: string; inputs: string } {
  const dir = path.join(PRISMA_DIR, service);
  const output = /output\s*=\s*"([^"]+)"/.exec(readFileSync(path.join(dir, 'schema.prisma'), 'utf8'))?.[1];
  if (!output) throw new Error(`prisma/${service}: schema.prisma names no generator output`);
  const hash = createHash('sha256');
  // The config files too: a generator setting changed there must regenerate.
  const configs = [path.join(dir, 'prisma.config.ts'), path.join(PRISMA_DIR, 'config-factory.ts')];
  for (const file of [...readdirSync(dir).filter((name) => name.endsWith('.prisma')).sort().map((name) => path.join(dir, name)), ...configs]) hash.update(path.basename(file)).update(readFileSync(file));
  for (const name of ['prisma', '@prisma/client']) hash.update(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json')));
  return { file: path.join(dir, output, '.generated-from'), inputs: hash.digest('hex') };
}

/** Every migration folder applied and none failed or half-applied: `migrate deploy` has nothing to do. */
async function migrationsApplied(service: string): Promise<boolean> {
  const folders = readdirSync(path.join(PRISMA_DIR, service, 'migrations'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const client = new pg.Client({ connectionString: databaseUrlFor(service) });
  await client.connect();
  try {
    const rows = await client.query<{ migration_name: string; done: boolean }>('SELECT migration_name, finished_at IS NOT NULL AS done FROM _prisma_migrations WHERE rolled_back_at IS NULL');
    const done = new Set(rows.rows.filter((row) => row.done).map((row) => row.migration_name));
    return rows.rows.every((row) => row.done) && folders.every((folder) => done.has(folder));
  } catch {
    return false; // no migrations table yet
  } finally {
    await client.end();
  }
}

async function runStep(step: string | undefined, service: string): Promise<void> {
  const dir = path.join(PRISMA_DIR, service);
  if (step === 'generate') {
    const stamp = generatedStamp(service);
    if (existsSync(stamp.file) && readFileSync(stamp.file, 'utf8') === stamp.inputs) {
      process.stdout.write(`prisma/${service}: generate up to date\n`);
      return;
    }
    await prisma(service, ['generate']);
    writeFileSync(stamp.file, stamp.inputs);
  } else if (step === 'deploy') {
    await ensureDatabase(service);
    if (!(await migrationsApplied(service))) await prisma(service, ['migrate', 'deploy']);
    await applyConstraints(service);
  } else if (step === 'check') {
    try {
      await prisma(service, ['migrate', 'diff', '--from-migrations', path.join(dir, 'migrations'), '--to-schema-datamodel', dir, '--exit-code']);
    } catch {
      throw new Error(`prisma/${service}: schema and migrations differ — add a migration (see README)`);
    }
  } else {
    throw new Error('usage: prisma-all.ts generate|deploy|check');
  }
  process.stdout.write(`prisma/${service}: ${step} ok\n`);
}

// Each Prisma CLI run spends seconds loading its engine: run the services side by side.
const results = await Promise.allSettled(serviceSchemas.map((service) => runStep(process.argv[2], service)));
const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
for (const failure of failures) process.stderr.write(`${failure.reason instanceof Error ? failure.reason.message : String(failure.reason)}\n`);
process.exit(failures.length > 0 ? 1 : 0);
