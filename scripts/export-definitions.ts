/**
 * Writes rabbitmq/definitions.json from the code's topology (shared/src/amqp), or with
 * --check fails if the committed file differs. The file can be loaded through the
 * management UI or `rabbitmqctl import_definitions`; the code declares the same things
 * idempotently at start, so loading it is optional.
 */
import { QUEUE_POLICIES } from '../shared/src/amqp/queue-policies.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PLATFORM_QUEUES } from '../shared/src/amqp/platform-topology.ts';
import { dlqName, retryQueueArguments, retryQueueName, SERVICE_QUEUE_ARGUMENTS, UNROUTED_EXCHANGE, UNROUTED_QUEUE } from '../shared/src/amqp/topology.ts';
import { EVENTS_EXCHANGE } from '../shared/src/outbox/write-events.ts';
import { BROKER_SERVICES, servicePermissions } from '../shared/src/amqp/broker-users.ts';

const FILE = path.resolve(import.meta.dirname, '../rabbitmq/definitions.json');
const vhost = '/';
const quorum = { 'x-queue-type': 'quorum' };
const queue = (name: string, args: Record<string, unknown>) => ({ name, vhost, durable: true, auto_delete: false, arguments: args });
const binding = (source: string, destination: string, routingKey: string) => ({ source, vhost, destination, destination_type: 'queue', routing_key: routingKey, arguments: {} });

// One user per service, no password in the file (an empty hash cannot log in): an operator sets
// each with `rabbitmqctl change_password <service> …` from the secret store after loading.
const definitions = {
  users: BROKER_SERVICES.map((service) => ({ name: service, password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' })),
  vhosts: [{ name: vhost }],
  permissions: BROKER_SERVICES.map((service) => {
    const { configure, write, read } = servicePermissions(service);
    return { user: service, vhost, configure, write, read };
  }),
  topic_permissions: BROKER_SERVICES.map((service) => ({ user: service, vhost, ...servicePermissions(service).topic })),
  exchanges: [
    { name: UNROUTED_EXCHANGE, vhost, type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} },
    { name: EVENTS_EXCHANGE, vhost, type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': UNROUTED_EXCHANGE } },
  ],
  queues: [
    queue(UNROUTED_QUEUE, quorum),
    ...PLATFORM_QUEUES.flatMap((service) => [
      queue(service.queue, SERVICE_QUEUE_ARGUMENTS),
      queue(dlqName(service.queue), quorum),
      ...[...new Set(service.retryDelaysMs)].map((delay) =>
        queue(retryQueueName(service.queue, delay), retryQueueArguments(service.queue, delay)),
      ),
    ]),
  ],
  policies: QUEUE_POLICIES.map((policy) => ({ vhost, name: policy.name, pattern: policy.pattern, 'apply-to': 'queues', definition: policy.definition, priority: 1 })),
  bindings: [
    binding(UNROUTED_EXCHANGE, UNROUTED_QUEUE, ''),
    ...PLATFORM_QUEUES.flatMap((service) => service.eventTypes.map((type) => binding(EVENTS_EXCHANGE, service.queue, type))),
  ],
};

const text = `${JSON.stringify(definitions, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(FILE, 'utf8') !== text) {
    process.stderr.write('rabbitmq/definitions.json is out of date: run pnpm rabbitmq:definitions\n');
    process.exit(1);
  }
  process.stdout.write('rabbitmq/definitions.json is up to date\n');
} else {
  writeFileSync(FILE, text);
  process.stdout.write(`wrote ${FILE}\n`);
}
