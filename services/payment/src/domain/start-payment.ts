import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { Payment, PaymentIntent, PaymentUnitOfWork, Trace } from './ports.ts';

export interface StartPaymentCommand {
  orderId: string;
  amountMinor: number;
  currency: string;
  holdExpiresAt: Date;
  /** The intent as the reservation's event brought it (sealed by the order service); else the one filed here. */
  intent?: PaymentIntent | null;
}

/**
 * Stock is held: the payment is recorded INITIATED in the handler's transaction, and the
 * gateway is called only after it commits (attempt-charge.ts). `firstLookAt` is when the sweeper
 * may take over if that call never reports back (longer than the call's whole retry budget).
 * Returns the payment with the intent it was made from (so the charge after the commit need not
 * read both back), or null when the order already has a payment (a redelivery).
 */
export async function startPayment(unit: PaymentUnitOfWork, command: StartPaymentCommand, firstLookAt: Date, trace: Trace): Promise<{ payment: Payment; intent: PaymentIntent } | null> {
  // An order placed through the order service brings its intent in the event (or, from before
  // that, filed it here first); anything else is a hold with nothing to charge (DLQ).
  const intent = command.intent ?? (await unit.store.findIntent(command.orderId));
  if (!intent) {
    if (await unit.store.findPayment(command.orderId)) return null; // a redelivery after its intent was pruned
    throw new AppError('unprocessable', `no payment intent for order ${command.orderId}`);
  }
  const payment = paymentFor(intent, command, trace);
  // One statement: the payment, its history and the intent that came with the event (kept for
  // the sweeper's later attempts, its secrets erased at the outcome); nothing on a redelivery.
  if (!(await unit.store.insertPayment(payment, firstLookAt, command.intent))) return null;
  return { payment, intent };
}

/**
 * Plans `startPayment`'s common case from the intent the event brought, or else the one read
 * before the statement that records it (its owner and method never change). A payment already there is not looked
 * for: the order's unique payment makes the statement fail whole (a racing copy, a redelivery),
 * and the transaction decides. No intent is null: the transaction refuses it.
 */
export async function planPayment(store: Pick<PaymentUnitOfWork['store'], 'findIntent'>, command: StartPaymentCommand, trace: Trace): Promise<{ payment: Payment; intent: PaymentIntent } | null> {
  const intent = command.intent ?? (await store.findIntent(command.orderId));
  return intent ? { payment: paymentFor(intent, command, trace), intent } : null;
}

function paymentFor(intent: PaymentIntent, command: StartPaymentCommand, trace: Trace): Payment {
  return {
    id: randomUUID(),
    orderId: command.orderId,
    kind: 'ORDER',
    customerId: intent.customerId,
    merchantId: intent.merchantId,
    method: intent.method,
    methodSummary: null,
    amountMinor: BigInt(command.amountMinor),
    refundedMinor: 0n,
    currency: command.currency,
    status: 'INITIATED',
    failureReason: null,
    chargeId: null,
    holdExpiresAt: command.holdExpiresAt,
    attempts: 0,
    trace,
  };
}
