import { recordGatewayAnswer } from './record-gateway-answer.ts';
import type { GatewayAnswer, PaymentUnitOfWork } from './ports.ts';

export interface GatewayChargeEvent {
  id: string;
  type: string;
  charge: { id: string; idempotencyKey: string; status: 'pending' | 'succeeded' | 'failed'; failureCode: string | null };
}

/**
 * A signed event from the gateway (its signature already checked): applied once per event id,
 * in one transaction with the dedup row, and idempotent besides (a payment already settled
 * ignores a second report).
 */
export async function applyGatewayWebhook(unit: PaymentUnitOfWork, event: GatewayChargeEvent, now: Date, pendingPollMs: number): Promise<'applied' | 'duplicate' | 'ignored'> {
  if (!(await unit.store.rememberWebhookEvent(event.id, event.type))) return 'duplicate';
  const orderId = /^charge:([0-9a-f-]{36})$/.exec(event.charge.idempotencyKey)?.[1];
  const payment = orderId ? await unit.store.findPayment(orderId) : null;
  if (!payment) return 'ignored';
  const { charge } = event;
  const answer: GatewayAnswer =
    charge.status === 'succeeded' ? { status: 'succeeded', chargeId: charge.id } : charge.status === 'failed' ? { status: 'failed', chargeId: charge.id, reason: charge.failureCode ?? 'card_declined' } : { status: 'pending', chargeId: charge.id };
  return (await recordGatewayAnswer(unit, payment, answer, 'webhook', now, pendingPollMs)) ? 'applied' : 'ignored';
}
