/**
 * One reconciliation run of a UTC day: gather the four books, leave what is still moving, compare,
 * and take each safe repair through the normal flow — a refund at the gateway (idempotent by its
 * key), an event to the ledger (idempotent by transfer id), a saga refund (under the payment's
 * row lock, never past what is left). Whatever is not safe goes to suspense and the report. A
 * failed repair is reported and the next run tries again; nothing here edits a row.
 */
import { describeError } from '@platform/shared/errors';
import type { EventData } from '@platform/shared/events/define-event';
import type { PaymentJournalRequested } from '@platform/shared/events/catalog';
import { reconcile, suspenseIdsFor, type Mismatch, type OurPayment } from './reconcile.ts';
import { settledOnly, type RawInputs } from './settle-window.ts';

export type JournalRequest = EventData<typeof PaymentJournalRequested>;

export interface ReconciliationSources {
  settlement(day: string): Promise<RawInputs['gateway']>;
  /** Our payments created that day or named by the gateway's charges (by key), with their refunds. */
  payments(day: string, chargeKeys: readonly string[]): Promise<Pick<RawInputs, 'payments' | 'refunds'>>;
  ledgerTransfers(ids: readonly string[]): Promise<Map<string, number>>;
  orders(day: string): Promise<RawInputs['orders']>;
}

export interface ReconciliationRepairs {
  /** Gives a stray charge back at the gateway; returns the gateway's refund id. */
  refundGatewayCharge(chargeId: string, amountMinor: number): Promise<string>;
  /** Writes a journal request to the outbox (the ledger applies it once). */
  journal(request: JournalRequest): Promise<void>;
  /** Starts the saga's refund of whatever is left of the order's payment; null if nothing is. */
  refundCancelledOrder(orderId: string): Promise<string | null>;
}

export type Outcome = 'repaired' | 'requested' | 'parked-in-suspense' | 'in-suspense' | 'for-a-person' | 'failed';
export interface ReportedMismatch extends Mismatch {
  outcome: Outcome;
  detail: string;
}

export interface ReconciliationReport {
  day: string;
  ranAt: string;
  requestedBy: string;
  compared: { gatewayCharges: number; gatewayRefunds: number; payments: number; refunds: number; orders: number; ledgerTransfers: number };
  inFlight: number;
  mismatches: ReportedMismatch[];
  /** Repairs and suspense postings this run started: 0 on a run after everything landed. */
  actionsTaken: number;
  needsAPerson: number;
}

const TAKES_ACTION = new Set<Outcome>(['repaired', 'requested', 'parked-in-suspense']);

function ledgerIdsOf(payments: readonly OurPayment[], refundIds: readonly string[]): string[] {
  const ids = payments.map((payment) => (payment.kind === 'TOP_UP' ? `top_up:${payment.orderId}` : payment.method === 'WALLET' ? `post:hold:charge:${payment.orderId}` : `charge:${payment.paymentId}`));
  return [...ids, ...refundIds.map((id) => `refund:${id}`)];
}

export async function runReconciliation(sources: ReconciliationSources, repairs: ReconciliationRepairs, request: { day: string; requestedBy: string; now: Date; settleMs: number }): Promise<ReconciliationReport> {
  const gateway = await sources.settlement(request.day);
  const ours = await sources.payments(request.day, gateway.charges.map((charge) => charge.idempotencyKey));
  const ledgerIds = [...ledgerIdsOf(ours.payments, ours.refunds.map((refund) => refund.refundId)), ...suspenseIdsFor(gateway)];
  const ledger = await sources.ledgerTransfers(ledgerIds);
  const orders = await sources.orders(request.day);
  const { input, inFlight } = settledOnly({ gateway, ...ours, ledger, orders }, new Date(request.now.getTime() - request.settleMs));

  const mismatches: ReportedMismatch[] = [];
  for (const mismatch of reconcile(input)) {
    try {
      mismatches.push({ ...mismatch, ...(await repair(mismatch, input, repairs)) });
    } catch (error) {
      mismatches.push({ ...mismatch, outcome: 'failed', detail: `${describeError(error)}; the next run tries again` });
    }
  }
  return {
    day: request.day,
    ranAt: request.now.toISOString(),
    requestedBy: request.requestedBy,
    compared: { gatewayCharges: input.gateway.charges.length, gatewayRefunds: input.gateway.refunds.length, payments: input.payments.length, refunds: input.refunds.length, orders: input.orders.size, ledgerTransfers: ledger.size },
    inFlight,
    mismatches,
    actionsTaken: mismatches.filter((mismatch) => TAKES_ACTION.has(mismatch.outcome)).length,
    needsAPerson: mismatches.filter((mismatch) => mismatch.outcome !== 'repaired' && mismatch.outcome !== 'requested').length,
  };
}

async function repair(mismatch: Mismatch, input: ReturnType<typeof settledOnly>['input'], repairs: ReconciliationRepairs): Promise<{ outcome: Outcome; detail: string }> {
  const payment = input.payments.find((candidate) => candidate.paymentId === mismatch.ids.paymentId);
  switch (mismatch.repair) {
    case 'refund-gateway-charge': {
      const charge = input.gateway.charges.find((candidate) => candidate.id === mismatch.ids.chargeId)!;
      const refunded = input.gateway.refunds.filter((refund) => refund.chargeId === charge.id).reduce((sum, refund) => sum + refund.amountMinor, 0);
      return { outcome: 'repaired', detail: `refunded ${charge.amountMinor - refunded} ${charge.currency} at the gateway (${await repairs.refundGatewayCharge(charge.id, charge.amountMinor - refunded)})` };
    }
    case 're-emit-payment-succeeded': {
      if (!payment) throw new Error(`payment ${mismatch.ids.paymentId} vanished from the inputs`);
      await repairs.journal({ entry: 'charge', orderId: payment.orderId, paymentId: payment.paymentId, amountMinor: payment.amountMinor, currency: payment.currency, customerId: payment.customerId, merchantId: payment.merchantId });
      return { outcome: 'requested', detail: `charge:${payment.paymentId} sent to the ledger again` };
    }
    case 're-emit-payment-refunded': {
      const refund = input.refunds.find((candidate) => candidate.refundId === mismatch.ids.refundId);
      if (!payment || !refund) throw new Error(`refund ${mismatch.ids.refundId} vanished from the inputs`);
      await repairs.journal({ entry: 'refund', orderId: payment.orderId, paymentId: payment.paymentId, refundId: refund.refundId, amountMinor: refund.amountMinor, currency: payment.currency, customerId: payment.customerId, merchantId: payment.merchantId });
      return { outcome: 'requested', detail: `refund:${refund.refundId} sent to the ledger again` };
    }
    case 'refund-cancelled-order': {
      const refundId = await repairs.refundCancelledOrder(mismatch.ids.orderId!);
      return refundId ? { outcome: 'requested', detail: `refund ${refundId} of what is left started` } : { outcome: 'repaired', detail: 'nothing left to refund (a refund landed meanwhile)' };
    }
    case null:
      break;
  }
  const parked = mismatch.suspense;
  if (!parked) return { outcome: 'for-a-person', detail: 'no money moved that the platform could park; see the ids' };
  if (parked.journaled) return { outcome: 'in-suspense', detail: `${parked.transferId} holds it until a person settles it` };
  await repairs.journal({ entry: 'suspense', transferId: parked.transferId, gatewayHolds: parked.gatewayHolds, amountMinor: parked.amountMinor, currency: parked.currency, orderId: payment?.orderId ?? null });
  return { outcome: 'parked-in-suspense', detail: `${parked.amountMinor} ${parked.currency} to suspense as ${parked.transferId}` };
}
