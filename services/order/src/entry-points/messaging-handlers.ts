/** Thin: each saga event mapped to the order state it implies, applied in a transaction or in one statement. */
import { onSql, type HandlerContext, type StatementContext, type StatementPlan } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { SEALED_EMAIL } from '@platform/shared/events/catalog';
import * as events from '@platform/shared/events/catalog';
import type { EventData, EventDefinition } from '@platform/shared/events/define-event';
import { moveOrderChange, orderStore } from '../data-access/order-store.ts';
import { advanceOrder, planAdvance, type Progress } from '../domain/advance-order.ts';
import type { OrderFinished } from './order-metrics.ts';

/** `moved` is told of every move once it committed (the status cache forgets the order). */
export function orderHandlers(cipher: FieldCipher, finished: OrderFinished = () => undefined, moved: (orderId: string) => void = () => undefined) {
  const sealEmail = (email: string | null) => encryptNullable(cipher, email, SEALED_EMAIL);
  const apply = (handler: HandlerContext<SqlTransaction>, progress: Progress) =>
    advanceOrder(
      {
        store: orderStore(handler.tx, cipher),
        publish: handler.publish,
        sealEmail,
        finished: (outcome, reason) => handler.afterCommit(async () => finished(outcome, reason)),
        moved: (orderId) => handler.afterCommit(async () => moved(orderId)),
      },
      progress,
    );
  const inOneStatement = async (statement: StatementContext, progress: Progress | null): Promise<StatementPlan | null> => {
    const plan = progress && (await planAdvance({ findOrder: (id) => orderStore(statement.db, cipher).findOrder(id), sealEmail }, progress));
    if (!plan) return null;
    const { ending } = plan;
    const whenChanged = () => {
      moved(plan.orderId);
      if (ending) finished(ending.outcome, ending.reason);
    };
    return { change: moveOrderChange(plan, statement.param, statement.admitted), events: plan.announcements, whenChanged };
  };
  /** Each event's move (null: none), given to both forms so they cannot differ. */
  const moving = <D extends EventDefinition>(definition: D, progressOf: (data: EventData<D>) => Progress | null) =>
    onSql(
      definition,
      async (data, handler) => {
        const progress = progressOf(data);
        if (progress) await apply(handler, progress);
      },
      (data, statement) => inOneStatement(statement, progressOf(data)),
    );
  return [
    moving(events.InventoryReserved, (data) => ({ orderId: data.orderId, to: 'INVENTORY_RESERVED', amountMinor: data.amountMinor, currency: data.currency })),
    moving(events.InventoryReservationFailed, (data) => ({ orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason })),
    moving(events.PaymentSucceeded, (data) => ({ orderId: data.orderId, to: 'PAYMENT_SUCCESS', amountMinor: data.amountMinor, currency: data.currency })),
    moving(events.PaymentFailed, (data) => ({ orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason })),
    moving(events.InventoryCommitted, (data) => ({ orderId: data.orderId, to: 'COMPLETED' })),
    moving(events.InventoryCommitFailed, (data) => ({ orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason })),
    moving(events.InventoryReleased, (data) => (data.reason === 'expired' ? { orderId: data.orderId, to: 'CANCELLED', cancellationReason: 'reservation_expired' } : null)),
    // A merchant's partial or full refund of a completed order does not cancel it.
    moving(events.PaymentRefunded, (data) => (data.initiatedBy === 'saga' ? { orderId: data.orderId, to: 'CANCELLED', cancellationReason: 'refunded' } : null)),
  ];
}
