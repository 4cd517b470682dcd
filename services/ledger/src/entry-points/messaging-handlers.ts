/** Thin: each money event mapped to the transfer that records it; the saga's common ones in one statement. */
import { IN_TRANSACTION, onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { Envelope } from '@platform/shared/envelope';
import type { EventData } from '@platform/shared/events/define-event';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { InventoryCommitted, PaymentJournalRequested, PaymentRefunded, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { ledgerStore, type LedgerSettings } from '../data-access/ledger-store.ts';
import { holdStore } from '../data-access/hold-store.ts';
import { DeferredBalances } from '../data-access/balances.ts';
import type { LedgerContext } from '../domain/ports.ts';
import { planCharge, recordCharge, type ChargeCommand } from '../domain/record-charge.ts';
import { transferChanges } from '../data-access/transfer-changes.ts';
import { recordRefund } from '../domain/record-refund.ts';
import { recordSuspense } from '../domain/record-suspense.ts';
import { captureWalletPayment, recordTopUp, walletHoldId } from '../domain/wallet-payments.ts';

export function ledgerHandlers(settings: LedgerSettings) {
  const causeOf = (envelope: Envelope): LedgerContext['cause'] => ({ eventId: envelope.id, correlationId: envelope.correlationid });
  // One set of deferred balance rows per attempt at a transaction (its `beforeCommit` names it),
  // shared by a batch's handlers and written last, sorted, in one statement (balances.ts says
  // why: batches deadlocked otherwise).
  const deferredByAttempt = new WeakMap<object, DeferredBalances>();
  const deferredFor = ({ tx, beforeCommit }: HandlerContext<SqlTransaction>): DeferredBalances | undefined => {
    if (!beforeCommit) return undefined;
    let deferred = deferredByAttempt.get(beforeCommit);
    if (!deferred) {
      const created = new DeferredBalances();
      deferredByAttempt.set(beforeCommit, created);
      beforeCommit(() => created.flush(tx));
      deferred = created;
    }
    return deferred;
  };
  const contextOf = (handler: HandlerContext<SqlTransaction>): LedgerContext => ({ store: ledgerStore(handler.tx, settings, deferredFor(handler)), publish: handler.publish, cause: causeOf(handler.envelope) });
  const chargeOf = (data: EventData<typeof PaymentSucceeded>): ChargeCommand => ({ paymentId: data.paymentId, orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, amountMinor: data.amountMinor, currency: data.currency });
  return [
    // A wallet payment is journaled by its hold (placed, posted, voided here), not as a card charge.
    onSql(
      PaymentSucceeded,
      async (data, handler) => {
        if (data.method === 'WALLET') return;
        await recordCharge(contextOf(handler), chargeOf(data));
      },
      // The common case in one statement; an account not opened yet is read or opened first (committed on its own: opening is idempotent).
      async (data, { envelope, db, param, admitted }) => {
        if (data.method === 'WALLET') return null;
        const plan = await planCharge(ledgerStore(db, settings), causeOf(envelope), chargeOf(data));
        const changes = transferChanges(plan.transfer, plan.accounts, param, admitted);
        return changes ? { ...changes, events: [plan.announcement], onlyIfChanged: true } : IN_TRANSACTION;
      },
    ),
    onSql(PaymentRefunded, async (data, handler) => {
      if (data.method === 'WALLET') return;
      await recordRefund(contextOf(handler), { paymentId: data.paymentId, refundId: data.refundId, orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, amountMinor: data.amountMinor, currency: data.currency });
    }),
    onSql(WalletToppedUp, async (data, handler) => {
      await recordTopUp(contextOf(handler), { topUpId: data.topUpId, customerId: data.customerId, amount: BigInt(data.amountMinor), currency: data.currency });
    }),
    // Stock committed: an order paid from a wallet has its hold posted.
    onSql(
      InventoryCommitted,
      async (data, handler) => {
        await captureWalletPayment(contextOf(handler), holdStore(handler.tx, deferredFor(handler)), walletHoldId(`charge:${data.orderId}`));
      },
      // A card order has no hold and gets none later (a wallet's hold is placed before its payment
      // succeeds, so before its stock can be committed): only the inbox row, written if no hold is
      // there (checked in the same statement); a wallet order's goes to the transaction.
      async (data, { param, admitted }) => ({ change: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM transfer WHERE id = ${param(walletHoldId(`charge:${data.orderId}`))}) AND ${admitted}`, onlyIfChanged: true }),
    ),
    // Reconciliation's repairs: the same use cases, so a transfer already there is left alone.
    onSql(PaymentJournalRequested, async (data, handler) => {
      if (data.entry === 'charge') await recordCharge(contextOf(handler), data);
      else if (data.entry === 'refund') await recordRefund(contextOf(handler), data);
      else await recordSuspense(contextOf(handler), data);
    }),
  ];
}
