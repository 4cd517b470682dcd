/**
 * The compose file's one-shot `setup` job, before any process starts: every service database
 * created and migrated; each service's broker user made with its password from the environment
 * (BROKER_PASSWORD_<SERVICE>: the definitions carry no secret); then the broker given
 * `rabbitmq/definitions.json` (permissions, exchanges, queues, bindings, policies) through its
 * management API.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import { api, ensureServiceUsers } from './broker-setup.ts';
import { prepareDatabases } from './platform.ts';

const passwords = Object.fromEntries(
  BROKER_SERVICES.map((service) => {
    const password = process.env[`BROKER_PASSWORD_${service.toUpperCase()}`];
    if (!password) throw new Error(`BROKER_PASSWORD_${service.toUpperCase()} is not set`);
    return [service, password];
  }),
);
prepareDatabases('platform');
// Users first, with their passwords; then the rest of the definitions (their users' entries
// carry no password and would blank the ones just set).
await ensureServiceUsers('/', passwords);
const { users: _users, ...definitions } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../rabbitmq/definitions.json'), 'utf8')) as Record<string, unknown>;
const loaded = await api('POST', '/definitions', definitions);
if (!loaded.ok) throw new Error(`the broker refused the definitions: ${loaded.status} ${await loaded.text()}`);
process.stdout.write('setup done: databases migrated, broker definitions loaded, service users set\n');
