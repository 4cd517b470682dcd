import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { OrderCancelled, OrderCompleted } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { notificationStore } from '../data-access/notification-store.ts';
import type { NotificationTransport } from '../domain/ports.ts';
import { notifyCustomer, type OrderOutcome } from '../domain/notify-customer.ts';

export function notificationHandlers(transport: NotificationTransport) {
  const notify = (handler: HandlerContext<Tx>, outcome: OrderOutcome) => notifyCustomer({ store: notificationStore(handler.tx), transport, publish: handler.publish }, outcome);
  return [
    on<typeof OrderCompleted, Tx>(OrderCompleted, (data, handler) => notify(handler, { outcome: 'completed', orderId: data.orderId, customerEmail: data.customerEmail })),
    on<typeof OrderCancelled, Tx>(OrderCancelled, (data, handler) =>
      notify(handler, { outcome: 'cancelled', orderId: data.orderId, customerEmail: data.customerEmail, reason: data.reason }),
    ),
  ];
}
