/**
 * The chaos run's server faults: the real RabbitMQ node, PostgreSQL and Redis stopped and started
 * again, with the commands this machine starts them with (/work/.library env). Asynchronous, so
 * the load goes on meanwhile. `ensureServersUp` runs after every run, whatever happened, so
 * nothing after it finds a server down.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Server = 'rabbitmq' | 'postgres' | 'redis';

const postgresVersion = () => readdirSync('/etc/postgresql')[0] ?? '15';

const commands: Record<Server, { stop: [string, string[]]; start: [string, string[]]; up: [string, string[]] }> = {
  rabbitmq: {
    stop: ['rabbitmqctl', ['stop_app']],
    start: ['rabbitmqctl', ['start_app']],
    up: ['rabbitmqctl', ['await_startup', '--timeout', '60']],
  },
  postgres: {
    stop: ['pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'stop', '-m', 'fast']],
    start: ['pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'start']],
    up: ['pg_isready', ['-h', '127.0.0.1', '-p', '5432']],
  },
  redis: {
    stop: ['redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']],
    start: ['redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log']],
    up: ['redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']],
  },
};

async function isUp(server: Server): Promise<boolean> {
  const [command, args] = commands[server].up;
  return run(command, args, { timeout: 70_000 }).then(
    ({ stdout }) => server !== 'redis' || stdout.includes('PONG'),
    () => false,
  );
}

/** Stops the server, keeps it down for `downMs`, starts it and waits until it answers. */
export async function restartServer(server: Server, downMs: number): Promise<void> {
  const [stop, stopArgs] = commands[server].stop;
  await run(stop, stopArgs, { timeout: 60_000 }).catch(() => undefined); // a server already down is fine
  await sleep(downMs);
  await startServer(server);
}

async function startServer(server: Server): Promise<void> {
  const [start, startArgs] = commands[server].start;
  for (let attempt = 1; ; attempt++) {
    await run(start, startArgs, { timeout: 60_000 }).catch(() => undefined);
    for (let waited = 0; waited < 30_000; waited += 500) {
      if (await isUp(server)) return;
      await sleep(500);
    }
    if (attempt === 3) throw new Error(`${server} did not come back after three starts`);
  }
}

export async function ensureServersUp(): Promise<void> {
  for (const server of ['postgres', 'rabbitmq', 'redis'] as const) if (!(await isUp(server))) await startServer(server);
}
