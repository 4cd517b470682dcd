/**
 * Runs the whole platform as separate processes: the six services, the gateway and one relay
 * over every service database that publishes events. Used by `pnpm start`, `pnpm demo` and the
 * end-to-end tests. Each service talks to the broker as its own user; secrets come from
 * dev-secrets.ts (or the environment). With `replicas` above one (the chaos run), every service,
 * the gateway and the relay run that many instances, each service's behind a balancer on its
 * usual port (as a Kubernetes Service would be), so callers keep one address.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { databaseUrlFor } from './databases.ts';
import { devSecrets, type DevSecrets } from './dev-secrets.ts';
import { applyQueuePolicies, ensureServiceUsers } from './broker-setup.ts';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import { amqpNodeUrls, amqpUrlWithUser } from '../shared/src/amqp/amqp-url.ts';
import { startFaultProxy, type FaultProxy } from './faults/tcp-fault-proxy.ts';
import { processEnvironment } from './platform-environment.ts';

export const SERVICES = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth'] as const;
export type ServiceName = (typeof SERVICES)[number];
/**
 * The outside world, simulated: the payment gateway (with a database of its own, no broker) and
 * an SMTP sink that keeps what the platform mails (SMTP on its port + 1, messages over HTTP).
 */
export const SIMULATORS = ['psp', 'smtp'] as const;
export const DATABASES = [...SERVICES, 'psp'] as const;
export type ProcessName = ServiceName | 'gateway' | 'relay' | (typeof SIMULATORS)[number];
/** What runs as several instances when asked; the simulated outside world stays single. */
export const REPLICATED: readonly ProcessName[] = [...SERVICES, 'gateway', 'relay'];
export type Listener = ServiceName | 'gateway' | 'psp' | 'smtp';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Set (to 1) by `pnpm test` after it built dist/: test platforms then run the bundles. */
export const BUILT_PLATFORM_ENV = 'PLATFORM_BUILT';
const OFFSET: Record<Listener, number> = { gateway: 0, order: 1, inventory: 2, payment: 3, ledger: 4, notification: 5, auth: 6, psp: 7, smtp: 8 };
const ENTRY: Partial<Record<ProcessName, string>> = { relay: 'shared/src/outbox/relay-daemon.ts', smtp: 'scripts/smtp-sink.ts' };

export interface PlatformOptions {
  /** The gateway's port; services, the simulators and the SMTP sink take the next nine, the gateway's and relay's metrics +10 and +11. */
  basePort: number;
  /** Databases are <prefix>_<service>. */
  databasePrefix: string;
  /** An operator's broker URL (with the vhost): it declares the topology; services get their own users. */
  amqpUrl: string;
  redisUrl?: string;
  logLevel?: string;
  /** Extra environment per process (test knobs: short holds, slow gateway, duplicate relay …). */
  env?: Partial<Record<ProcessName, Record<string, string>>>;
  onLine?: (name: ProcessName, line: string) => void;
  /** Instances of each service, the gateway and the relay (default 1). */
  replicas?: number;
  /** PostgreSQL's port as the processes reach it (a fault proxy's, in the chaos run). */
  pgPort?: number;
  /** Run what `pnpm build` made (dist/<process>/main.mjs) with plain node, not the sources with tsx. */
  built?: boolean;
}

/** Creates missing databases and applies pending migrations for a prefix (clients are generated at install). */
export function prepareDatabases(databasePrefix: string): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prisma-all.ts', 'deploy'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PG_DATABASE_PREFIX: databasePrefix },
  });
}

/**
 * Every child any platform in this process started and that still runs. A runner that dies
 * without stopAll() (an uncaught error in a benchmark, a test file's crash, process.exit, a
 * SIGTERM from a supervisor) would leave ten processes holding the platform's ports, and the
 * next run would fail to start with EADDRINUSE: on the way out they are asked to stop (SIGTERM,
 * as stopAll asks). Only a SIGKILLed runner still leaves them.
 */
const running = new Set<ChildProcess>();
let stopOnExit = false;
function stopWhenThisProcessExits(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (stopOnExit) return;
  stopOnExit = true;
  const stopRunning = () => {
    for (const orphan of running) orphan.kill('SIGTERM');
  };
  process.once('exit', stopRunning);
  // A signal that ends a process by default never reaches 'exit': stop them, then end as that
  // signal would have (unless the runner listens for it itself and decides what happens).
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopRunning();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export class Platform {
  private readonly children = new Map<string, ChildProcess>();
  /** The balancer in front of each replicated service (and the gateway): where network faults go. */
  readonly balancers = new Map<Listener, FaultProxy>();
  readonly secrets: DevSecrets = devSecrets();

  constructor(private readonly options: PlatformOptions) {}

  /** The broker URL of a service's own user, in the platform's vhost. */
  amqpUrlFor(service: string): string {
    return amqpUrlWithUser(this.options.amqpUrl, service, this.secrets.brokerPasswords[service] ?? '');
  }

  /** Creates (or updates) each service's broker user and its permissions in the platform's vhost. */
  async prepareBroker(): Promise<void> {
    const vhost = decodeURIComponent(new URL(amqpNodeUrls(this.options.amqpUrl)[0]!).pathname.slice(1)) || '/';
    await ensureServiceUsers(vhost, this.secrets.brokerPasswords);
    await applyQueuePolicies(vhost);
  }

  /** HTTP base URL (for the SMTP sink: where its messages are read). */
  url(name: Listener): string {
    return `http://127.0.0.1:${this.options.basePort + OFFSET[name]}`;
  }

  instancesOf(name: ProcessName): number {
    return REPLICATED.includes(name) ? (this.options.replicas ?? 1) : 1;
  }

  /** An instance's own port: its Service's port when alone, behind the balancer otherwise. */
  private portOf(name: Listener, instance: number): number {
    return this.options.basePort + OFFSET[name] + (this.instancesOf(name) > 1 ? 100 * (instance + 1) : 0);
  }

  private databaseUrl(name: (typeof DATABASES)[number] | (typeof BROKER_SERVICES)[number]): string {
    const url = new URL(databaseUrlFor(name, this.options.databasePrefix));
    if (this.options.pgPort) url.port = String(this.options.pgPort);
    return url.toString();
  }

  /** The metrics port of the gateway or a relay (their own ports are public, or none). */
  metricsPortOf(name: 'gateway' | 'relay', instance = 0): number {
    return this.options.basePort + (name === 'gateway' ? 10 : 11) + 100 * instance;
  }

  /** The sink's SMTP port: the one after its HTTP port. */
  get smtpPort(): number {
    return this.options.basePort + OFFSET.smtp + 1;
  }

  private environment(name: ProcessName): Record<string, string> {
    return processEnvironment(name, {
      amqpUrl: this.options.amqpUrl,
      logLevel: this.options.logLevel ?? 'info',
      redisUrl: this.options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      own: this.options.env?.[name] ?? {},
      secrets: this.secrets,
      amqpUrlFor: (service) => this.amqpUrlFor(service),
      databaseUrl: (database) => this.databaseUrl(database),
      url: (listener) => this.url(listener),
      smtpPort: this.smtpPort,
    });
  }

  /** Starts one process (an instance of it); `overrides` change its environment for this start only. */
  start(name: ProcessName, overrides: Record<string, string> = {}, instance = 0): void {
    const entry = ENTRY[name] ?? `services/${name}/src/main.ts`;
    const port = name in OFFSET && name !== 'smtp' ? { PORT: String(this.portOf(name as Listener, instance)) } : {};
    const metricsPort = name === 'gateway' || name === 'relay' ? { METRICS_PORT: String(this.metricsPortOf(name, instance)) } : {};
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.environment(name), ...port, ...metricsPort, ...overrides };
    // NODE_ARGS: extra node flags for this process (e.g. --cpu-prof, which NODE_OPTIONS refuses).
    const nodeArgs = env.NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    // The SMTP sink is a development tool: it always runs from source.
    const program = this.options.built && name !== 'smtp' ? [path.join('dist', name, 'main.mjs')] : ['--import', 'tsx', entry];
    const child = spawn(process.execPath, [...nodeArgs, ...program], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line) this.options.onLine?.(name, line);
      });
    }
    stopWhenThisProcessExits(child);
    this.children.set(instanceKey(name, instance), child);
  }

  async startAll(): Promise<void> {
    for (const name of [...SERVICES, 'gateway'] as const) {
      const instances = this.instancesOf(name);
      if (instances === 1 || this.balancers.has(name)) continue;
      const targets = Array.from({ length: instances }, (_, instance) => ({ host: '127.0.0.1', port: this.portOf(name, instance) }));
      this.balancers.set(name, await startFaultProxy(targets, this.options.basePort + OFFSET[name]));
    }
    for (const name of [...SERVICES, ...SIMULATORS, 'gateway', 'relay'] as const) {
      for (let instance = 0; instance < this.instancesOf(name); instance++) this.start(name, {}, instance);
    }
  }

  /** Whether the process is up (started and not exited): what a supervisor watches. */
  /** The process id of a running instance (to read its command line or its CPU from /proc). */
  pidOf(name: ProcessName, instance = 0): number | undefined {
    return this.children.get(instanceKey(name, instance))?.pid;
  }

  /** How an instance that is no longer running ended: its exit code, or the signal that stopped it. */
  exitOf(name: ProcessName, instance = 0): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const child = this.children.get(instanceKey(name, instance));
    return child && (child.exitCode !== null || child.signalCode !== null) ? { code: child.exitCode, signal: child.signalCode } : undefined;
  }

  isRunning(name: ProcessName, instance = 0): boolean {
    const child = this.children.get(instanceKey(name, instance));
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Stops one process (an instance of it): SIGTERM for a clean stop, SIGKILL for a crash. */
  async stop(name: ProcessName, signal: NodeJS.Signals = 'SIGTERM', instance = 0): Promise<void> {
    await this.stopKey(instanceKey(name, instance), signal);
  }

  private async stopKey(name: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    // A process that ignores SIGTERM for 10 s is killed: stopping must never hang a test run.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    this.children.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stopKey(name, 'SIGTERM')));
    await Promise.all([...this.balancers.values()].map((balancer) => balancer.close()));
    this.balancers.clear();
  }

  /** Waits until every service, the gateway and the relay are up. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const listeners = [...SERVICES, ...SIMULATORS, 'gateway'] as const;
    for (const [name, instance] of listeners.flatMap((name) => Array.from({ length: this.instancesOf(name) }, (_, instance) => [name, instance] as const))) {
      for (;;) {
        const exited = this.children.get(instanceKey(name, instance))?.exitCode;
        if (exited !== undefined && exited !== null) throw new Error(`${name} exited with code ${exited} while starting`);
        const ready = await fetch(`http://127.0.0.1:${this.portOf(name, instance)}/ready`).then((response) => response.ok, () => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

const instanceKey = (name: ProcessName, instance: number) => (instance === 0 ? name : `${name}#${instance}`);
