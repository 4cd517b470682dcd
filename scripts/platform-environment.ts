/**
 * Each process's environment when the platform runs it: its port, its database, its broker user,
 * the addresses of what it calls and the secrets it needs (dev-secrets.ts or the environment),
 * then the caller's own additions (test knobs).
 */
import { BROKER_SERVICES } from '../shared/src/amqp/broker-users.ts';
import type { DevSecrets } from './dev-secrets.ts';
import type { DATABASES, Listener, ProcessName } from './platform.ts';

export interface PlatformAddresses {
  amqpUrl: string;
  logLevel: string;
  redisUrl: string;
  own: Record<string, string>;
  secrets: DevSecrets;
  amqpUrlFor(service: string): string;
  databaseUrl(database: (typeof DATABASES)[number] | (typeof BROKER_SERVICES)[number]): string;
  url(listener: Listener): string;
  smtpPort: number;
}

export function processEnvironment(name: ProcessName, at: PlatformAddresses): Record<string, string> {
  const common = { AMQP_URL: at.amqpUrl, LOG_LEVEL: at.logLevel, INTERNAL_AUTH_SECRET: at.secrets.internalAuthSecret };
  const own = at.own;
  if (name === 'relay') {
    return {
      ...common,
      RELAY_DATABASE_URLS: BROKER_SERVICES.map((service) => at.databaseUrl(service)).join(','),
      RELAY_AMQP_URLS: BROKER_SERVICES.map((service) => at.amqpUrlFor(service)).join(','),
      METRICS_TOKEN: at.secrets.metricsToken,
      ...own,
    };
  }
  if (name === 'smtp') return { ...common, SMTP_SINK_HTTP_PORT: new URL(at.url('smtp')).port, SMTP_SINK_PORT: String(at.smtpPort), ...own };
  if (name === 'psp') {
    return {
      ...common,
      PORT: new URL(at.url('psp')).port,
      DATABASE_URL: at.databaseUrl('psp'),
      PSP_API_KEY: at.secrets.pspApiKey,
      PSP_WEBHOOK_SECRET: at.secrets.pspWebhookSecret,
      PSP_WEBHOOK_URL: `${at.url('payment')}/webhooks/gateway`,
      ...own,
    };
  }
  if (name === 'gateway') {
    return {
      ...common,
      PORT: new URL(at.url('gateway')).port,
      REDIS_URL: at.redisUrl,
      AUTH_URL: at.url('auth'),
      ORDER_URL: at.url('order'),
      INVENTORY_URL: at.url('inventory'),
      PAYMENT_URL: at.url('payment'),
      LEDGER_URL: at.url('ledger'),
      NOTIFICATION_URL: at.url('notification'),
      METRICS_TOKEN: at.secrets.metricsToken,
      ...own,
    };
  }
  return {
    ...common,
    ...((BROKER_SERVICES as readonly string[]).includes(name) ? { AMQP_URL: at.amqpUrlFor(name) } : {}),
    PORT: new URL(at.url(name)).port,
    DATABASE_URL: at.databaseUrl(name),
    DATA_ENCRYPTION_KEYS: at.secrets.dataEncryptionKeys,
    DATA_INDEX_KEY: at.secrets.dataIndexKey,
    METRICS_TOKEN: at.secrets.metricsToken,
    ...(name === 'notification' ? { SMTP_URL: `smtp://127.0.0.1:${at.smtpPort}` } : {}),
    ...(name === 'order' || name === 'payment' || name === 'inventory' ? { REDIS_URL: at.redisUrl } : {}),
    ...(name === 'order' || name === 'payment' ? { PAYMENT_CHOICE_KEYS: at.secrets.paymentChoiceKeys } : {}),
    ...(name === 'order' ? { INVENTORY_URL: at.url('inventory'), PAYMENT_URL: at.url('payment') } : {}),
    ...(name === 'payment' ? { CARD_ENCRYPTION_KEYS: at.secrets.cardEncryptionKeys, PSP_URL: at.url('psp'), LEDGER_URL: at.url('ledger'), ORDER_URL: at.url('order'), PSP_API_KEY: at.secrets.pspApiKey, PSP_WEBHOOK_SECRET: at.secrets.pspWebhookSecret } : {}),
    ...(name === 'auth' ? { ADMIN_EMAIL: at.secrets.adminEmail, ADMIN_PASSWORD: at.secrets.adminPassword } : {}),
    ...own,
  };
}
