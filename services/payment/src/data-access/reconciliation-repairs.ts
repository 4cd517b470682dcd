/**
 * How reconciliation's repairs reach the world: a refund at the gateway under a key that names
 * the charge and the amount still kept (so a rerun before the refund shows asks the same question
 * and gets the same refund), journal requests through the outbox, and the saga's own refund for a cancelled order.
 */
import { PaymentJournalRequested } from '@platform/shared/events/catalog';
import { compensatePayment } from '../domain/request-refund.ts';
import { executeRefund } from '../domain/execute-refund.ts';
import type { PaymentGateway, PaymentServices, Trace } from '../domain/ports.ts';
import type { ReconciliationRepairs } from '../domain/run-reconciliation.ts';

export function reconciliationRepairs(services: PaymentServices, gateway: PaymentGateway, trace: Trace, onError: (error: unknown) => void): ReconciliationRepairs {
  return {
    async refundGatewayCharge(chargeId, amountMinor) {
      const answer = await gateway.refund({ idempotencyKey: `reconcile:${chargeId}:${amountMinor}`, chargeId, amountMinor: BigInt(amountMinor) });
      if ('refused' in answer) throw new Error(`the gateway refused the refund: ${answer.refused}`);
      return answer.refundId;
    },
    async journal(request) {
      const subject = request.entry === 'suspense' ? (request.orderId ?? request.transferId) : request.orderId;
      await services.transaction((unit) => unit.publish([{ definition: PaymentJournalRequested, subject, data: request }]), trace);
    },
    async refundCancelledOrder(orderId) {
      const refund = await services.transaction((unit) => compensatePayment(unit, orderId, 'reconciliation: the order was cancelled but still charged', trace), trace);
      // Executed now; if this is lost, the refund sweeper executes it (it is committed PENDING).
      if (refund) void executeRefund(services, refund.id).catch(onError);
      return refund?.id ?? null;
    },
  };
}
