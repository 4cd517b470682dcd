/**
 * The events as a published contract.
 *
 * `pnpm events:docs` writes docs/asyncapi.json (AsyncAPI 3): every event type of the catalogue,
 * its owner (the service its type is named after: the only broker user allowed to publish it),
 * the queues that consume it, and its `data` schema (from the zod schema). `--check` fails when
 * the file is stale.
 *
 * `pnpm events:release` records the schemas as released (docs/events-released.json). `pnpm check`
 * compares the catalogue with that record and fails on a change a consumer of the released
 * version could not read — a removed or retyped field, a new required field — unless the type's
 * version was bumped (the old type may then leave the catalogue).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import * as catalog from '../shared/src/events/catalog.ts';
import type { EventDefinition } from '../shared/src/events/define-event.ts';
import { PLATFORM_QUEUES } from '../shared/src/amqp/platform-topology.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const ASYNCAPI_FILE = path.join(ROOT, 'docs/asyncapi.json');
export const RELEASED_FILE = path.join(ROOT, 'docs/events-released.json');

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; anyOf?: JsonSchema[]; [key: string]: unknown };

export const definitions = (): EventDefinition[] =>
  (Object.values(catalog) as unknown[]).filter((value): value is EventDefinition => typeof value === 'object' && value !== null && 'type' in value && 'schema' in value);

/** What a publisher must send: the schema as input (a field with a default is not required). */
export const dataSchema = (definition: EventDefinition) => z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
export const currentSchemas = () => Object.fromEntries(definitions().map((definition) => [definition.type, dataSchema(definition)]));

export function asyncApi() {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const definition of definitions()) {
    const id = definition.type.replace(/\./g, '_');
    const owner = definition.type.split('.')[0]!;
    const consumers = PLATFORM_QUEUES.filter((queue) => queue.eventTypes.includes(definition.type)).map((queue) => queue.queue);
    channels[id] = {
      address: definition.type,
      description: `Routing key ${definition.type} on the \`events\` topic exchange. Published by ${owner}; consumed by ${consumers.join(', ') || 'no queue (kept in the outbox for the timeline)'}.`,
      messages: { [id]: { name: definition.type, contentType: 'application/cloudevents+json', payload: { type: 'object', required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'data'], properties: { type: { const: definition.type }, subject: { type: 'string', description: 'the order (aggregate) id' }, data: dataSchema(definition) } } } },
      bindings: { amqp: { is: 'routingKey', exchange: { name: 'events', type: 'topic', durable: true } } },
    };
    operations[`${owner}_publishes_${id}`] = { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: `${owner} publishes it (through its outbox and the relay)` };
    for (const queue of consumers) operations[`${queue}_receives_${id}`] = { action: 'receive', channel: { $ref: `#/channels/${id}` }, summary: `queue ${queue}`, bindings: { amqp: { queue: { name: queue } } } };
  }
  return { asyncapi: '3.0.0', info: { title: 'Payment platform events', version: '1.0.0', description: 'Every event the services exchange (shared/src/events/catalog.ts), as CloudEvents 1.0 on RabbitMQ.' }, defaultContentType: 'application/cloudevents+json', servers: { broker: { host: 'rabbitmq:5672', protocol: 'amqp' } }, channels, operations };
}

const typeOf = (schema: JsonSchema | undefined): string => JSON.stringify(schema?.type ?? schema?.anyOf?.map((option) => option.type) ?? null);

/** Why `now` cannot replace `released` for a reader of the released version ([] when it can). */
export function incompatibilities(type: string, released: JsonSchema, now: JsonSchema): string[] {
  const problems: string[] = [];
  for (const [field, schema] of Object.entries(released.properties ?? {})) {
    const current = now.properties?.[field];
    if (!current) problems.push(`${type}: field "${field}" was removed`);
    else if (typeOf(current) !== typeOf(schema)) problems.push(`${type}: field "${field}" changed type ${typeOf(schema)} → ${typeOf(current)}`);
  }
  for (const field of now.required ?? []) {
    if (!(released.required ?? []).includes(field)) problems.push(`${type}: field "${field}" is newly required`);
  }
  return problems;
}

/** Every incompatible change since the release; a type gone from the catalogue needs a higher version of it there. */
export function contractProblems(released: Record<string, JsonSchema>, current: Record<string, JsonSchema>): string[] {
  const versionOf = (type: string) => ({ base: type.replace(/\.v\d+$/, ''), version: Number(/\.v(\d+)$/.exec(type)?.[1] ?? 0) });
  return Object.entries(released).flatMap(([type, schema]) => {
    if (current[type]) return incompatibilities(type, schema, current[type]);
    const { base, version } = versionOf(type);
    return Object.keys(current).some((other) => versionOf(other).base === base && versionOf(other).version > version) ? [] : [`${type} left the catalogue without a newer version`];
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2];
  if (command === 'release') {
    writeFileSync(RELEASED_FILE, json(currentSchemas()));
    process.stdout.write('recorded the event schemas as released\n');
  } else if (command === 'check') {
    const problems = contractProblems(JSON.parse(readFileSync(RELEASED_FILE, 'utf8')) as Record<string, JsonSchema>, currentSchemas());
    if (readFileSync(ASYNCAPI_FILE, 'utf8') !== json(asyncApi())) problems.push('docs/asyncapi.json is out of date: run pnpm events:docs');
    if (problems.length > 0) {
      process.stderr.write(`event contract broken (bump the type's version, or run pnpm events:release for an intended release):\n  ${problems.join('\n  ')}\n`);
      process.exit(1);
    }
    process.stdout.write('event contract kept; docs/asyncapi.json is up to date\n');
  } else {
    writeFileSync(ASYNCAPI_FILE, json(asyncApi()));
    process.stdout.write('wrote docs/asyncapi.json\n');
  }
}
