/**
 * Secrets for a developer's machine and the tests: made at random the first time and kept in
 * .secrets/dev.json (git-ignored, mode 0600), so data encrypted by one `pnpm start` still reads
 * in the next. Each can be overridden from the environment; production sets them all there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';

const FILE = path.resolve(import.meta.dirname, '../.secrets/dev.json');

export interface DevSecrets {
  internalAuthSecret: string;
  dataEncryptionKeys: string;
  cardEncryptionKeys: string;
  /** Order and payment only: the payment choice that travels sealed in the saga's events. */
  paymentChoiceKeys: string;
  dataIndexKey: string;
  metricsToken: string;
  adminEmail: string;
  adminPassword: string;
  brokerPasswords: Record<string, string>;
  /** The gateway simulator's secret API key and the secret its webhooks are signed with. */
  pspApiKey: string;
  pspWebhookSecret: string;
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

function generate(): DevSecrets {
  return {
    internalAuthSecret: random(32),
    dataEncryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
    cardEncryptionKeys: `card1:${randomBytes(32).toString('base64')}`,
    paymentChoiceKeys: `choice1:${randomBytes(32).toString('base64')}`,
    dataIndexKey: randomBytes(32).toString('base64'),
    metricsToken: random(24),
    adminEmail: 'admin@platform.local',
    adminPassword: random(18),
    brokerPasswords: Object.fromEntries(BROKER_SERVICES.map((service) => [service, random(18)])),
    pspApiKey: `sk_test_${random(24)}`,
    pspWebhookSecret: `whsec_${random(24)}`,
  };
}

export function devSecrets(): DevSecrets {
  const kept = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Partial<DevSecrets>) : {};
  const secrets: DevSecrets = { ...generate(), ...kept };
  // A secret added since the file was written is kept from now on, or it would change every run.
  if (Object.keys(secrets).some((key) => !(key in kept))) {
    mkdirSync(path.dirname(FILE), { recursive: true, mode: 0o700 });
    writeFileSync(FILE, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  const env = process.env;
  return {
    ...secrets,
    internalAuthSecret: env.INTERNAL_AUTH_SECRET ?? secrets.internalAuthSecret,
    dataEncryptionKeys: env.DATA_ENCRYPTION_KEYS ?? secrets.dataEncryptionKeys,
    cardEncryptionKeys: env.CARD_ENCRYPTION_KEYS ?? secrets.cardEncryptionKeys,
    paymentChoiceKeys: env.PAYMENT_CHOICE_KEYS ?? secrets.paymentChoiceKeys,
    dataIndexKey: env.DATA_INDEX_KEY ?? secrets.dataIndexKey,
    adminEmail: env.ADMIN_EMAIL ?? secrets.adminEmail,
    adminPassword: env.ADMIN_PASSWORD ?? secrets.adminPassword,
    pspApiKey: env.PSP_API_KEY ?? secrets.pspApiKey,
    pspWebhookSecret: env.PSP_WEBHOOK_SECRET ?? secrets.pspWebhookSecret,
  };
}
