import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { DueDelivery, MerchantDeliveries, WebhookEndpoint, WebhookEventType, WebhookStore } from '../domain/webhook-ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import type { Tx } from './database.ts';
import type { PrismaClient } from './generated/client.ts';
import { notificationStore } from './notification-store.ts';
import { randomUUID } from 'node:crypto';

const SECRET = 'webhook_endpoint.secret';
const ALERT_EMAIL = 'webhook_endpoint.alert_email';
type EndpointRow = Pick<Awaited<ReturnType<Tx['webhookEndpoint']['findUniqueOrThrow']>>, 'id' | 'merchantId' | 'url' | 'eventTypes' | 'status' | 'disabledReason' | 'createdAt'>;

const asEndpoint = (row: EndpointRow): WebhookEndpoint => ({ id: row.id, merchantId: row.merchantId, url: row.url, eventTypes: row.eventTypes as WebhookEventType[], status: row.status as WebhookEndpoint['status'], disabledReason: row.disabledReason, alertEmail: null, createdAt: row.createdAt });

/**
 * A merchant event's deliveries: one per active endpoint subscribed to it, found by the statement
 * itself. Each id is 'msg_' and 16 random bytes (a v4 UUID's) in base64url: the `webhook-id` the
 * merchant sees on every attempt, so it can deduplicate. Only where `gate` holds.
 */
function deliveriesInsert(event: MerchantDeliveries, param: (value: unknown) => string, gate: string): string {
  const type = param(event.type);
  return `INSERT INTO webhook_delivery (id, endpoint_id, event_type, payload, status)
    SELECT 'msg_' || rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '='), id, ${type}, ${param(event.payload)}, 'PENDING'
      FROM webhook_endpoint WHERE merchant_id = ${param(event.merchantId)}::uuid AND status = 'ACTIVE' AND ${type} = ANY(event_types) AND ${gate}`;
}

/** The same deliveries as a change of a one-statement apply (no read before it). */
export function merchantDeliveriesChange(event: MerchantDeliveries, param: (value: unknown) => string, admitted: string): string {
  return `${deliveriesInsert(event, param, admitted)} RETURNING 1`;
}

/** What every order and payment event needs, in SQL alone: the handlers run it on plain `pg`. */
export function merchantEventStore(tx: SqlTransaction): Pick<WebhookStore, 'enqueueDeliveries'> {
  return {
    async enqueueDeliveries(event) {
      const values: unknown[] = [];
      return tx.$executeRawUnsafe(deliveriesInsert(event, (value) => `$${values.push(value)}`, 'true'), ...values);
    },
  };
}

/** Endpoints and deliveries, on a transaction or the pool (routes, the sender). */
export function webhookStore(client: Tx | PrismaClient, cipher: FieldCipher): WebhookStore {
  return {
    ...merchantEventStore(client),
    async insertEndpoint(endpoint, secret) {
      await client.webhookEndpoint.create({ data: { ...endpoint, alertEmail: encryptNullable(cipher, endpoint.alertEmail, ALERT_EMAIL), secretEncrypted: cipher.encrypt(secret, SECRET) } });
    },
    async endpointsOf(merchantId) {
      return (await client.webhookEndpoint.findMany({ where: { merchantId }, orderBy: { createdAt: 'asc' } })).map(asEndpoint);
    },
    async findEndpoint(id) {
      const row = await client.webhookEndpoint.findUnique({ where: { id } });
      return row && { ...asEndpoint(row), alertEmail: decryptNullable(cipher, row.alertEmail, ALERT_EMAIL), secrets: { current: cipher.decrypt(row.secretEncrypted, SECRET), previous: decryptNullable(cipher, row.previousSecretEncrypted, SECRET), previousUntil: row.previousSecretUntil } };
    },
    async rotateSecret(id, secret, previousUntil) {
      const row = await client.webhookEndpoint.findUniqueOrThrow({ where: { id } });
      await client.webhookEndpoint.update({ where: { id }, data: { secretEncrypted: cipher.encrypt(secret, SECRET), previousSecretEncrypted: encryptNullable(cipher, cipher.decrypt(row.secretEncrypted, SECRET), SECRET), previousSecretUntil: previousUntil } });
    },
    async disableEndpoint(id, reason, alert) {
      const disable = async (tx: Tx) => {
        const { count } = await tx.webhookEndpoint.updateMany({ where: { id, status: 'ACTIVE' }, data: { status: 'DISABLED', disabledReason: reason } });
        const row = count === 1 && alert ? await tx.webhookEndpoint.findUnique({ where: { id } }) : null;
        if (!row?.alertEmail || !alert) return;
        // A notice like a customer's (the endpoint's id in the order column): the notice sender mails it after the commit.
        await notificationStore(tx, cipher).insert({ id: randomUUID(), orderId: id, customerId: null, template: 'webhook-endpoint-disabled', reference: '', channel: 'email', recipient: cipher.decrypt(row.alertEmail, ALERT_EMAIL), ...alert, status: 'PENDING', cause: null });
      };
      await ('$transaction' in client ? client.$transaction(disable) : disable(client));
    },
    async recordAttempt(delivery: DueDelivery, attempt, outcome) {
      await client.webhookAttempt.create({ data: { deliveryId: delivery.id, endpointId: delivery.endpointId, attempt: delivery.attempts + 1, ...attempt } });
      await client.webhookDelivery.update({
        where: { id: delivery.id },
        data: { attempts: { increment: 1 }, ...(outcome.delivered ? { status: 'DELIVERED', deliveredAt: new Date(), manual: false } : outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : { status: 'FAILED', manual: false }) },
      });
    },
    async resend(deliveryId, endpointId) {
      const { count } = await client.webhookDelivery.updateMany({ where: { id: deliveryId, endpointId }, data: { status: 'PENDING', manual: true, nextAttemptAt: new Date() } });
      return count === 1;
    },
  };
}

/**
 * Claims due deliveries with a lease, at most one per endpoint and none for endpoints already
 * busy here: a slow or dead endpoint holds back only its own deliveries.
 */
export async function claimDueDeliveries(client: SqlTransaction, limit: number, leaseMs: number, busyEndpoints: readonly string[]): Promise<DueDelivery[]> {
  const rows = await client.$queryRawUnsafe<Array<{ id: string; endpoint_id: string; event_type: string; payload: string; attempts: number; created_at: Date; manual: boolean }>>(
    `WITH candidates AS (
       SELECT id, endpoint_id, next_attempt_at FROM webhook_delivery
       WHERE status = 'PENDING' AND next_attempt_at <= now() AND NOT (endpoint_id = ANY($3::uuid[]))
       ORDER BY next_attempt_at LIMIT 500 FOR UPDATE SKIP LOCKED),
     picked AS (SELECT DISTINCT ON (endpoint_id) id FROM candidates ORDER BY endpoint_id, next_attempt_at LIMIT $1)
     UPDATE webhook_delivery d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     FROM picked WHERE d.id = picked.id
     RETURNING d.id, d.endpoint_id, d.event_type, d.payload, d.attempts, d.created_at, d.manual`,
    limit,
    leaseMs,
    [...busyEndpoints],
  );
  return rows.map((row) => ({ id: row.id, endpointId: row.endpoint_id, eventType: row.event_type, payload: row.payload, attempts: row.attempts, createdAt: row.created_at, manual: row.manual }));
}

/** The endpoint's delivery log, newest first: each attempt's status code and latency. */
export async function deliveryLog(client: PrismaClient, endpointId: string, limit: number) {
  const deliveries = await client.webhookDelivery.findMany({ where: { endpointId }, orderBy: { createdAt: 'desc' }, take: limit });
  const attempts = await client.webhookAttempt.findMany({ where: { deliveryId: { in: deliveries.map((delivery) => delivery.id) } }, orderBy: { id: 'asc' } });
  return deliveries.map((delivery) => ({
    id: delivery.id,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: attempts.filter((attempt) => attempt.deliveryId === delivery.id).map((attempt) => ({ attempt: attempt.attempt, statusCode: attempt.statusCode, latencyMs: attempt.latencyMs, error: attempt.error, at: attempt.at.toISOString() })),
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
  }));
}

/** Deliveries and their attempts are kept 30 days. */
export async function pruneDeliveries(client: PrismaClient): Promise<void> {
  await client.$executeRawUnsafe(`DELETE FROM webhook_attempt WHERE at < now() - interval '30 days'`);
  await client.$executeRawUnsafe(`DELETE FROM webhook_delivery WHERE status <> 'PENDING' AND created_at < now() - interval '30 days'`);
}
