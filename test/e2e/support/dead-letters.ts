/**
 * A real dead letter for the console tests: inventory (as itself, over its own broker user)
 * announces a reservation for an order the payment service holds no intent for, a permanent
 * failure that lands in payment.dlq at once. Filing the intent afterwards (as the order service
 * would) makes the same message good, so a replay applies it.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { createEnvelope } from '../../../shared/src/envelope.ts';
import * as events from '../../../shared/src/events/catalog.ts';
import { signInternalRequest } from '../../../shared/src/http/internal-auth.ts';
import { EVENTS_EXCHANGE } from '../../../shared/src/outbox/write-events.ts';
import { waitFor } from '../../../shared/test/support/wait.ts';
import type { GatewayClient } from './api.ts';
import type { TestPlatform } from './test-platform.ts';

async function inPaymentDlq(platform: TestPlatform, messageId: string): Promise<boolean> {
  const connection = await amqp.connect(platform.amqpUrlFor('payment'));
  try {
    const channel = await connection.createChannel();
    let found = false;
    for (let message = await channel.get('payment.dlq'); message; message = await channel.get('payment.dlq')) found ||= message.properties.messageId === messageId;
    await channel.close(); // unacked: every message stays
    return found;
  } finally {
    await connection.close();
  }
}

export async function putEventInPaymentDlq(platform: TestPlatform, api: GatewayClient): Promise<{ orderId: string; messageId: string; fileIntent: () => Promise<void> }> {
  const orderId = randomUUID();
  const productId = await api.createProduct({ stock: 5, priceMinor: 1234 });
  const envelope = createEnvelope('/services/inventory', {
    definition: events.InventoryReserved,
    subject: orderId,
    data: { orderId, reservationId: randomUUID(), productId, quantity: 1, amountMinor: 1234, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString(), requestedBy: 'order-saga' },
  });
  const inventory = await amqp.connect(platform.amqpUrlFor('inventory'));
  try {
    const channel = await inventory.createConfirmChannel();
    channel.publish(EVENTS_EXCHANGE, envelope.type, Buffer.from(JSON.stringify(envelope)), { messageId: envelope.id, type: envelope.type, userId: 'inventory', persistent: true });
    await channel.waitForConfirms();
  } finally {
    await inventory.close();
  }
  await waitFor('the event in payment.dlq', () => inPaymentDlq(platform, envelope.id));
  const fileIntent = async () => {
    const path = '/payment-intents';
    const body = JSON.stringify({ method: 'CARD', orderId, customerId: api.sessions!.customerId, merchantId: null, cardToken: 'tok_visa' });
    const filed = await fetch(`${platform.url('payment')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signInternalRequest(platform.secrets.internalAuthSecret, 'order', { method: 'POST', path, body: Buffer.from(body) }) }, body });
    if (filed.status !== 201) throw new Error(`the intent was not filed: ${filed.status}`);
  };
  return { orderId, messageId: envelope.id, fileIntent };
}
