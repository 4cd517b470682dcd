/**
 * Runs the whole platform as separate processes: the six services, the gateway and one relay
 * over every service database that publishes events. Used by `pnpm start`, `pnpm demo` and the
 * end-to-end tests. Each service talks to the broker as its own user; secrets come from
 * dev-secrets.ts (or the environment).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { databaseUrlFor } from './databases.ts';
import { formatLine } from './log-format.ts';
import { devSecrets, type DevSecrets } from './dev-secrets.ts';
import { applyQueuePolicies, ensureServiceUsers } from './broker-setup.ts';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';

export const SERVICES = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth'] as const;
export type ServiceName = (typeof SERVICES)[number];
/**
 * The outside world, simulated: the payment gateway (with a database of its own, no broker) and
 * an SMTP sink that keeps what the platform mails (SMTP on its port + 1, messages over HTTP).
 */
export const SIMULATORS = ['psp', 'smtp'] as const;
export const DATABASES = [...SERVICES, 'psp'] as const;
export type ProcessName = ServiceName | 'gateway' | 'relay' | (typeof SIMULATORS)[number];

const ROOT = path.resolve(import.meta.dirname, '..');
const OFFSET: Record<ServiceName | 'gateway' | 'psp' | 'smtp', number> = { gateway: 0, order: 1, inventory: 2, payment: 3, ledger: 4, notification: 5, auth: 6, psp: 7, smtp: 8 };
const ENTRY: Partial<Record<ProcessName, string>> = { relay: 'shared/src/outbox/relay-daemon.ts', smtp: 'scripts/smtp-sink.ts' };

export interface PlatformOptions {
  /** The gateway's port; services take the next six. */
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
}

/** Creates missing databases and applies pending migrations for a prefix (clients are generated at install). */
export function prepareDatabases(databasePrefix: string): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prisma-all.ts', 'deploy'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PG_DATABASE_PREFIX: databasePrefix },
  });
}

export class Platform {
  private readonly children = new Map<ProcessName, ChildProcess>();
  readonly secrets: DevSecrets = devSecrets();

  constructor(private readonly options: PlatformOptions) {}

  /** The broker URL of a service's own user, in the platform's vhost. */
  amqpUrlFor(service: string): string {
    const url = new URL(this.options.amqpUrl);
    url.username = service;
    url.password = this.secrets.brokerPasswords[service] ?? '';
    return url.toString();
  }

  /** Creates (or updates) each service's broker user and its permissions in the platform's vhost. */
  async prepareBroker(): Promise<void> {
    await ensureServiceUsers(decodeURIComponent(new URL(this.options.amqpUrl).pathname.slice(1)) || '/', this.secrets.brokerPasswords);
    await applyQueuePolicies(decodeURIComponent(new URL(this.options.amqpUrl).pathname.slice(1)) || '/');
  }

  /** HTTP base URL (for the SMTP sink: where its messages are read). */
  url(name: ServiceName | 'gateway' | 'psp' | 'smtp'): string {
    return `http://127.0.0.1:${this.options.basePort + OFFSET[name]}`;
  }

  /** The sink's SMTP port: the one after its HTTP port. */
  get smtpPort(): number {
    return this.options.basePort + OFFSET.smtp + 1;
  }

  private environment(name: ProcessName): Record<string, string> {
    const common = { AMQP_URL: this.options.amqpUrl, LOG_LEVEL: this.options.logLevel ?? 'info', INTERNAL_AUTH_SECRET: this.secrets.internalAuthSecret };
    const own = this.options.env?.[name] ?? {};
    if (name === 'relay') {
      return {
        ...common,
        RELAY_DATABASE_URLS: BROKER_SERVICES.map((service) => databaseUrlFor(service, this.options.databasePrefix)).join(','),
        RELAY_AMQP_URLS: BROKER_SERVICES.map((service) => this.amqpUrlFor(service)).join(','),
        ...own,
      };
    }
    if (name === 'smtp') return { ...common, SMTP_SINK_HTTP_PORT: String(this.options.basePort + OFFSET.smtp), SMTP_SINK_PORT: String(this.smtpPort), ...own };
    if (name === 'psp') {
      return {
        ...common,
        PORT: String(this.options.basePort + OFFSET.psp),
        DATABASE_URL: databaseUrlFor('psp', this.options.databasePrefix),
        PSP_API_KEY: this.secrets.pspApiKey,
        PSP_WEBHOOK_SECRET: this.secrets.pspWebhookSecret,
        PSP_WEBHOOK_URL: `${this.url('payment')}/webhooks/gateway`,
        ...own,
      };
    }
    if (name === 'gateway') {
      return {
        ...common,
        PORT: String(this.options.basePort),
        REDIS_URL: this.options.redisUrl ?? 'redis://127.0.0.1:6379',
        AUTH_URL: this.url('auth'),
        ORDER_URL: this.url('order'),
        INVENTORY_URL: this.url('inventory'),
        PAYMENT_URL: this.url('payment'),
        LEDGER_URL: this.url('ledger'),
        NOTIFICATION_URL: this.url('notification'),
        ...own,
      };
    }
    return {
      ...common,
      ...((BROKER_SERVICES as readonly string[]).includes(name) ? { AMQP_URL: this.amqpUrlFor(name) } : {}),
      PORT: String(this.options.basePort + OFFSET[name]),
      DATABASE_URL: databaseUrlFor(name, this.options.databasePrefix),
      DATA_ENCRYPTION_KEYS: this.secrets.dataEncryptionKeys,
      DATA_INDEX_KEY: this.secrets.dataIndexKey,
      METRICS_TOKEN: this.secrets.metricsToken,
      ...(name === 'notification' ? { SMTP_URL: `smtp://127.0.0.1:${this.smtpPort}` } : {}),
      ...(name === 'order' || name === 'payment' ? { REDIS_URL: this.options.redisUrl ?? 'redis://127.0.0.1:6379' } : {}),
      ...(name === 'order' ? { INVENTORY_URL: this.url('inventory'), PAYMENT_URL: this.url('payment') } : {}),
      ...(name === 'payment' ? { CARD_ENCRYPTION_KEYS: this.secrets.cardEncryptionKeys, PSP_URL: this.url('psp'), LEDGER_URL: this.url('ledger'), ORDER_URL: this.url('order'), PSP_API_KEY: this.secrets.pspApiKey, PSP_WEBHOOK_SECRET: this.secrets.pspWebhookSecret } : {}),
      ...(name === 'auth' ? { ADMIN_EMAIL: this.secrets.adminEmail, ADMIN_PASSWORD: this.secrets.adminPassword } : {}),
      ...own,
    };
  }

  /** Starts one process; `overrides` change its environment for this start only. */
  start(name: ProcessName, overrides: Record<string, string> = {}): void {
    const entry = ENTRY[name] ?? `services/${name}/src/main.ts`;
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: { ...process.env, ...this.environment(name), ...overrides },
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
    this.children.set(name, child);
  }

  startAll(): void {
    for (const name of [...SERVICES, ...SIMULATORS, 'gateway', 'relay'] as const) this.start(name);
  }

  /** Whether the process is up (started and not exited): what a supervisor watches. */
  isRunning(name: ProcessName): boolean {
    const child = this.children.get(name);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Stops one process: SIGTERM for a clean stop, SIGKILL for a crash. */
  async stop(name: ProcessName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
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
    await Promise.all([...this.children.keys()].map((name) => this.stop(name)));
  }

  /** Waits until every service, the gateway and the relay are up. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const name of [...SERVICES, ...SIMULATORS, 'gateway'] as const) {
      for (;;) {
        const exited = this.children.get(name)?.exitCode;
        if (exited !== undefined && exited !== null) throw new Error(`${name} exited with code ${exited} while starting`);
        const ready = await fetch(`${this.url(name)}/ready`).then((response) => response.ok, () => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/**
 * The platform as `pnpm start` and `pnpm demo` run it: local servers, platform_* databases
 * (created and migrated first), gateway on GATEWAY_PORT (8080), one combined log.
 */
export async function startLocalPlatform(quiet = false): Promise<Platform> {
  prepareDatabases('platform');
  const platform = new Platform({
    basePort: Number(process.env.GATEWAY_PORT ?? 8080),
    databasePrefix: 'platform',
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    onLine: (name, line) => {
      if (!quiet) process.stdout.write(`${formatLine(name, line)}\n`);
    },
  });
  await platform.prepareBroker();
  platform.startAll();
  try {
    await platform.waitUntilReady();
  } catch (error) {
    await platform.stopAll();
    throw error;
  }
  return platform;
}
