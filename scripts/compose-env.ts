/**
 * `pnpm compose:env`: writes .env (git-ignored, mode 0600) with every secret docker-compose.yml
 * refers to: the development secrets (dev-secrets.ts) and passwords for PostgreSQL, the
 * broker's operator and Grafana, kept across runs. Production puts the same names in its own
 * secret store instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import { devSecrets } from './dev-secrets.ts';
import { brokerPasswordVariable } from './compose.ts';

const FILE = path.resolve(import.meta.dirname, '../.env');
const kept = existsSync(FILE) ? Object.fromEntries(readFileSync(FILE, 'utf8').split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])) : {};
const password = () => randomBytes(18).toString('base64url');
const secrets = devSecrets();
const values: Record<string, string> = {
  POSTGRES_PASSWORD: password(),
  RABBITMQ_ADMIN_PASSWORD: password(),
  GRAFANA_ADMIN_PASSWORD: password(),
  INTERNAL_AUTH_SECRET: secrets.internalAuthSecret,
  DATA_ENCRYPTION_KEYS: secrets.dataEncryptionKeys,
  CARD_ENCRYPTION_KEYS: secrets.cardEncryptionKeys,
  PAYMENT_CHOICE_KEYS: secrets.paymentChoiceKeys,
  DATA_INDEX_KEY: secrets.dataIndexKey,
  METRICS_TOKEN: secrets.metricsToken,
  ADMIN_EMAIL: secrets.adminEmail,
  ADMIN_PASSWORD: secrets.adminPassword,
  PSP_API_KEY: secrets.pspApiKey,
  PSP_WEBHOOK_SECRET: secrets.pspWebhookSecret,
  ...Object.fromEntries(BROKER_SERVICES.map((service) => [brokerPasswordVariable(service), secrets.brokerPasswords[service]!])),
  ...kept,
};
// Compose reads values literally: `$` would start an interpolation.
writeFileSync(FILE, `${Object.entries(values).map(([name, value]) => `${name}=${value.replace(/\$/g, '$$$$')}`).join('\n')}\n`, { mode: 0o600 });
process.stdout.write(`wrote ${Object.keys(values).length} secrets to .env (admin: ${values.ADMIN_EMAIL})\n`);
