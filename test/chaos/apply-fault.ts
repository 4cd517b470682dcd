/** Applies one scheduled fault to the running platform, its servers or the links between them. */
import { Redis } from 'ioredis';
import { closeConnections } from '../../scripts/broker-setup.ts';
import { withPgClient as withPg } from '../../scripts/databases.ts';
import type { FaultProxy } from '../../scripts/faults/tcp-fault-proxy.ts';
import type { ProcessName } from '../../scripts/platform.ts';
import { E2E_VHOST, type TestPlatform } from '../e2e/support/test-platform.ts';
import { prng, type Fault } from './fault-schedule.ts';
import { restartServer } from './server-faults.ts';

export interface FaultTargets {
  platform: TestPlatform;
  /** Proxies every process reaches PostgreSQL and RabbitMQ through. */
  links: { postgres: FaultProxy; rabbitmq: FaultProxy };
  /** Processes the supervisor must leave down for now (name#instance). */
  heldDown: Set<string>;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function link(targets: FaultTargets, name: string): FaultProxy {
  const proxy = name === 'postgres' || name === 'rabbitmq' ? targets.links[name] : targets.platform.balancers.get(name as 'order');
  if (!proxy) throw new Error(`no link to ${name}`);
  return proxy;
}

export async function applyFault(targets: FaultTargets, fault: Fault): Promise<void> {
  const { platform, log } = targets;
  switch (fault.kind) {
    case 'kill':
      return platform.stop(fault.target as ProcessName, 'SIGKILL', fault.instance ?? 0);
    case 'broker-connections':
      return log(`closed ${await onceServerAnswers(fault, log, () => closeConnections(E2E_VHOST))} broker connections`);
    case 'database-connections':
      await onceServerAnswers(fault, log, () =>
        withPg((client) => client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'e2e\\_%' AND pid <> pg_backend_pid()")),
      );
      return;
    case 'redis-connections':
      return onceServerAnswers(fault, log, killRedisClients);
    case 'psp-down':
      targets.heldDown.add('psp#0');
      await platform.stop('psp', 'SIGKILL');
      await sleep(fault.downMs ?? 2_000);
      targets.heldDown.delete('psp#0');
      return;
    case 'broker-restart':
      return restartServer('rabbitmq', fault.downMs ?? 2_000);
    case 'database-restart':
      return restartServer('postgres', fault.downMs ?? 2_000);
    case 'redis-restart':
      return restartServer('redis', fault.downMs ?? 2_000);
    case 'network-latency': {
      const proxy = link(targets, fault.target!);
      proxy.delay(fault.latencyMs ?? 100);
      await sleep(fault.downMs ?? 2_000);
      proxy.delay(0);
      return;
    }
    case 'network-drop':
      return log(`dropped ${link(targets, fault.target!).resetSome(fault.share ?? 0.3, prng(fault.atMs))} connections to ${fault.target}`);
    case 'network-cut': {
      const proxy = link(targets, fault.target!);
      await proxy.cut();
      await sleep(fault.downMs ?? 2_000);
      await proxy.restore();
      return;
    }
  }
}

/**
 * Faults run concurrently, so a connection cut can land while a restart fault has the same server
 * down ("the database system is shutting down"). The cut is then tried again until the server
 * answers, so it still happens, on the restarted server; a harness that is really broken still
 * fails after a minute.
 */
async function onceServerAnswers<T>(fault: Fault, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      log(`${fault.kind}: server not answering (${String(error)}), trying again`);
      await sleep(500);
    }
  }
}

async function killRedisClients(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
  } finally {
    redis.disconnect();
  }
}

