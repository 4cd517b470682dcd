/**
 * `pnpm compose`: writes docker-compose.yml — every process in its own container (built from
 * the Dockerfile's target of the same name), beside RabbitMQ, PostgreSQL, Redis, an SMTP sink,
 * Prometheus and Grafana. Each container's environment comes from the same description the
 * local platform and the tests run with (platform-environment.ts), addresses and secrets
 * swapped for compose's, so the file cannot drift from what is tested: `pnpm check` fails when
 * the committed file differs from what this writes (`--check`).
 * Secrets are `${NAME:?}` references: `pnpm compose:env` writes them to .env (git-ignored).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import { processEnvironment } from './platform-environment.ts';
import { SERVICES, type ProcessName } from './platform.ts';
import type { DevSecrets } from './dev-secrets.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
/** Every process with an image of its own (a Dockerfile target of the same name). */
export const CONTAINERS = [...SERVICES, 'psp', 'gateway', 'relay'] as const satisfies readonly ProcessName[];
export const HTTP_PORT = 8080;
export const METRICS_PORT = 9100;

const secret = (name: string) => `\${${name}:?run pnpm compose:env}`;
export const brokerPasswordVariable = (service: string) => `BROKER_PASSWORD_${service.toUpperCase()}`;
const SECRETS: DevSecrets = {
  internalAuthSecret: secret('INTERNAL_AUTH_SECRET'),
  dataEncryptionKeys: secret('DATA_ENCRYPTION_KEYS'),
  cardEncryptionKeys: secret('CARD_ENCRYPTION_KEYS'),
  paymentChoiceKeys: secret('PAYMENT_CHOICE_KEYS'),
  dataIndexKey: secret('DATA_INDEX_KEY'),
  metricsToken: secret('METRICS_TOKEN'),
  adminEmail: secret('ADMIN_EMAIL'),
  adminPassword: secret('ADMIN_PASSWORD'),
  brokerPasswords: Object.fromEntries(BROKER_SERVICES.map((service) => [service, secret(brokerPasswordVariable(service))])),
  pspApiKey: secret('PSP_API_KEY'),
  pspWebhookSecret: secret('PSP_WEBHOOK_SECRET'),
};
const PG_ADMIN = `postgresql://postgres:${secret('POSTGRES_PASSWORD')}@postgres:5432`;
const RABBITMQ_ADMIN = `platform-admin:${secret('RABBITMQ_ADMIN_PASSWORD')}`;

/** A process's environment with compose's (and the Kubernetes base's) service names and secret references. */
export function environmentOf(name: ProcessName): Record<string, string> {
  return processEnvironment(name, {
    amqpUrl: `amqp://${RABBITMQ_ADMIN}@rabbitmq:5672`,
    logLevel: 'info',
    redisUrl: 'redis://redis:6379',
    own: name === 'notification' ? { SMTP_URL: 'smtp://mailpit:1025' } : {},
    secrets: SECRETS,
    amqpUrlFor: (service) => `amqp://${service}:${SECRETS.brokerPasswords[service]}@rabbitmq:5672`,
    databaseUrl: (database) => `${PG_ADMIN}/platform_${database}`,
    url: (listener) => `http://${listener}:${HTTP_PORT}`,
    smtpPort: 1025,
  });
}

/** The setup job's: PostgreSQL's and the broker's operators, and each service's broker password. */
export function setupEnvironment(): Record<string, string> {
  return {
    PG_URL: `${PG_ADMIN}/postgres`,
    RABBITMQ_MANAGEMENT_URL: `http://${RABBITMQ_ADMIN}@rabbitmq:15672`,
    ...Object.fromEntries(BROKER_SERVICES.map((service) => [brokerPasswordVariable(service), secret(brokerPasswordVariable(service))])),
  };
}

/** A process's container: read-only, non-root (the image's user), after the setup job. */
function processContainer(name: (typeof CONTAINERS)[number]) {
  return {
    build: { context: '.', target: name },
    image: `payment-platform/${name}:dev`,
    environment: { ...environmentOf(name), NODE_ENV: 'production' },
    read_only: true,
    tmpfs: ['/tmp'],
    security_opt: ['no-new-privileges:true'],
    restart: 'unless-stopped',
    ...(name === 'gateway' ? { ports: [`${HTTP_PORT}:${HTTP_PORT}`] } : {}),
    depends_on: { setup: { condition: 'service_completed_successfully' } },
  };
}

export function composeFile(): Record<string, unknown> {
  const healthy = { condition: 'service_healthy' };
  return {
    services: {
      postgres: {
        image: 'postgres:15.10',
        environment: { POSTGRES_PASSWORD: secret('POSTGRES_PASSWORD') },
        volumes: ['postgres-data:/var/lib/postgresql/data'],
        healthcheck: { test: ['CMD', 'pg_isready', '-U', 'postgres'], interval: '2s', retries: 30 },
      },
      redis: { image: 'redis:7.4.1', healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '2s', retries: 30 } },
      rabbitmq: {
        image: 'rabbitmq:3.13.7-management',
        environment: { RABBITMQ_DEFAULT_USER: 'platform-admin', RABBITMQ_DEFAULT_PASS: secret('RABBITMQ_ADMIN_PASSWORD') },
        ports: ['15672:15672'],
        volumes: ['rabbitmq-data:/var/lib/rabbitmq'],
        healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'check_port_connectivity'], interval: '5s', retries: 30 },
      },
      // The SMTP sink: customer and merchant e-mail lands here, readable at http://localhost:8025.
      mailpit: { image: 'axllent/mailpit:v1.21.8', ports: ['8025:8025'] },
      setup: {
        build: { context: '.', target: 'setup' },
        image: 'payment-platform/setup:dev',
        environment: setupEnvironment(),
        depends_on: { postgres: healthy, rabbitmq: healthy },
      },
      ...Object.fromEntries(CONTAINERS.map((name) => [name, processContainer(name)])),
      prometheus: {
        image: 'prom/prometheus:v2.55.1',
        // Prometheus reads a bearer token from a file only: written from the environment at start.
        entrypoint: ['/bin/sh', '-c', 'printf %s "$$METRICS_TOKEN" > /tmp/metrics-token && exec /bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus'],
        environment: { METRICS_TOKEN: secret('METRICS_TOKEN') },
        volumes: ['./ops/prometheus:/etc/prometheus:ro'],
        ports: ['9090:9090'],
      },
      grafana: {
        image: 'grafana/grafana:11.3.1',
        environment: { GF_SECURITY_ADMIN_PASSWORD: secret('GRAFANA_ADMIN_PASSWORD') },
        volumes: ['./ops/grafana/provisioning:/etc/grafana/provisioning:ro', './ops/grafana/dashboards:/var/lib/grafana/dashboards:ro'],
        ports: ['3000:3000'],
        depends_on: ['prometheus'],
      },
    },
    volumes: { 'postgres-data': {}, 'rabbitmq-data': {} },
  };
}

const HEADER = `# Written by \`pnpm compose\` (scripts/compose.ts) from the platform's own process environments;
# edit the script, not this file (\`pnpm check\` compares them). Secrets come from .env:
#   pnpm compose:env && docker compose up --build
`;

export const renderCompose = () => HEADER + stringify(composeFile(), { lineWidth: 0 });

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    if (readFileSync(COMPOSE_FILE, 'utf8') !== renderCompose()) {
      process.stderr.write('docker-compose.yml is out of date: run pnpm compose\n');
      process.exit(1);
    }
    process.stdout.write('docker-compose.yml is up to date\n');
  } else {
    writeFileSync(COMPOSE_FILE, renderCompose());
    process.stdout.write('wrote docker-compose.yml\n');
  }
}
