import { randomUUID } from 'node:crypto';
import type { Payment, PaymentUnitOfWork, Trace } from './ports.ts';

export interface TopUpCommand {
  customerId: string;
  amountMinor: bigint;
  currency: string;
  cardToken: string;
}

/**
 * A wallet top-up is a card payment with no order behind it: recorded INITIATED with its card
 * (as an intent) in one transaction, charged after the commit like any payment (same retries,
 * sweeper and webhooks), and announced to the ledger, which credits the wallet, once it succeeds.
 */
export async function startTopUp(unit: PaymentUnitOfWork, command: TopUpCommand, times: { chargeBy: Date; firstLookAt: Date }, trace: Trace): Promise<Payment> {
  const topUpId = randomUUID();
  await unit.store.saveIntent({ orderId: topUpId, method: 'CARD', cardToken: command.cardToken, upiVpa: null, customerId: command.customerId, merchantId: null });
  const payment: Payment = {
    id: randomUUID(),
    orderId: topUpId,
    kind: 'TOP_UP',
    method: 'CARD',
    methodSummary: null,
    customerId: command.customerId,
    merchantId: null,
    amountMinor: command.amountMinor,
    refundedMinor: 0n,
    currency: command.currency,
    status: 'INITIATED',
    failureReason: null,
    chargeId: null,
    holdExpiresAt: times.chargeBy,
    attempts: 0,
    trace,
  };
  await unit.store.insertPayment(payment, times.firstLookAt);
  return payment;
}
