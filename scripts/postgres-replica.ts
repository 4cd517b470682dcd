/**
 * `pnpm postgres:replica start|stop`: a PostgreSQL primary with a hot-standby replica on this
 * machine (PostgreSQL 15 from Debian), beside the machine's own server on :5432, which is left
 * untouched (its rules allow no replication connections). The primary is a fresh cluster on
 * :5434; the standby is made from it with `pg_basebackup -R` and streams from it on :5435 (trust
 * auth, 127.0.0.1 only, everything under /tmp/platform-pg). Point PG_URL at the primary and a
 * service's DATABASE_READ_URL at the standby. (../shared/CLUSTERS-LOCAL.md has the recipe.)
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

export const REPLICA_DIR = '/tmp/platform-pg';
export const PRIMARY_PORT = 5434;
export const STANDBY_PORT = 5435;
export const primaryUrl = (database = 'postgres') => `postgresql://postgres@127.0.0.1:${PRIMARY_PORT}/${database}`;
export const standbyUrl = (database = 'postgres') => `postgresql://postgres@127.0.0.1:${STANDBY_PORT}/${database}`;

const BIN = `/usr/lib/postgresql/${existsSync('/usr/lib/postgresql/15') ? '15' : '16'}/bin`;
const asPostgres = (command: string, ...args: string[]) => {
  const full = [path.join(BIN, command), ...args];
  return execFileSync(userInfo().uid === 0 ? 'runuser' : full[0]!, userInfo().uid === 0 ? ['-u', 'postgres', '--', ...full] : full.slice(1), { stdio: 'pipe', timeout: 120_000 }).toString();
};
const dataDir = (name: 'primary' | 'standby') => path.join(REPLICA_DIR, name);
const serverOptions = (port: number) => `-p ${port} -k ${REPLICA_DIR} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;

export function startServer(name: 'primary' | 'standby'): void {
  asPostgres('pg_ctl', '-D', dataDir(name), '-o', serverOptions(name === 'primary' ? PRIMARY_PORT : STANDBY_PORT), '-l', path.join(REPLICA_DIR, `${name}.log`), '-w', 'start');
}

export function stopServer(name: 'primary' | 'standby'): void {
  if (existsSync(path.join(dataDir(name), 'postmaster.pid'))) asPostgres('pg_ctl', '-D', dataDir(name), '-m', 'fast', '-w', 'stop');
}

export function startReplicaPair(): void {
  stopReplicaPair();
  mkdirSync(REPLICA_DIR, { recursive: true });
  if (userInfo().uid === 0) execFileSync('chown', ['postgres', REPLICA_DIR]);
  asPostgres('initdb', '-D', dataDir('primary'), '-A', 'trust', '-U', 'postgres');
  appendFileSync(path.join(dataDir('primary'), 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
  startServer('primary');
  asPostgres('pg_basebackup', '-h', '127.0.0.1', '-p', String(PRIMARY_PORT), '-U', 'postgres', '-D', dataDir('standby'), '-R', '-X', 'stream');
  startServer('standby');
}

/**
 * Copies databases (the migrated e2e templates, say) from another server onto the primary with
 * pg_dump and psql: seconds, where migrating them afresh takes half a minute. Returns how many.
 * Owners and grants stay behind (roles are per server): for tests, which connect as postgres.
 */
export function copyDatabasesToPrimary(sourceUrl: string, namePattern: string): number {
  const source = new URL(sourceUrl);
  const connection = ['-h', source.hostname, '-p', source.port || '5432', '-U', decodeURIComponent(source.username) || 'postgres'];
  const names = execFileSync('psql', [...connection, '-d', source.pathname.slice(1) || 'postgres', '-Atc', `SELECT datname FROM pg_database WHERE datname LIKE '${namePattern.replace(/'/g, "''")}'`]).toString().split('\n').filter(Boolean);
  for (const name of names) {
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(PRIMARY_PORT), '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE "${name}"`]);
    execFileSync('sh', ['-c', `pg_dump --no-owner --no-privileges "$0" | psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ${PRIMARY_PORT} -U postgres -d "$1" >/dev/null`, `postgresql://${encodeURIComponent(decodeURIComponent(source.username) || 'postgres')}@${source.hostname}:${source.port || '5432'}/${name}`, name]);
  }
  return names.length;
}

export function stopReplicaPair(): void {
  for (const name of ['standby', 'primary'] as const) {
    try {
      stopServer(name);
    } catch {
      // not running
    }
  }
  rmSync(REPLICA_DIR, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (command === 'start') {
    startReplicaPair();
    process.stdout.write(`primary ${primaryUrl()}\nstandby ${standbyUrl()} (hot standby, streaming)\n`);
  } else if (command === 'stop') {
    stopReplicaPair();
    process.stdout.write('primary and standby stopped and removed\n');
  } else {
    process.stderr.write('usage: pnpm postgres:replica start|stop\n');
    process.exit(2);
  }
}
