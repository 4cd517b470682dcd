import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { OrderCancelled, OrderCompleted, SEALED_EMAIL } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { notificationStore } from '../data-access/notification-store.ts';
import type { NotificationTransport } from '../domain/ports.ts';
import { notifyCustomer, type OrderOutcome } from '../domain/notify-customer.ts';

export function notificationHandlers(transport: NotificationTransport, cipher: FieldCipher) {
  const notify = (handler: HandlerContext<Tx>, outcome: OrderOutcome) => notifyCustomer({ store: notificationStore(handler.tx, cipher), transport, publish: handler.publish }, outcome);
  return [
    on<typeof OrderCompleted, Tx>(OrderCompleted, (data, handler) => notify(handler, { outcome: 'completed', orderId: data.orderId, customerId: data.customerId, customerEmail: decryptNullable(cipher, data.customerEmailSealed, SEALED_EMAIL) })),
    on<typeof OrderCancelled, Tx>(OrderCancelled, (data, handler) =>
      notify(handler, { outcome: 'cancelled', orderId: data.orderId, customerId: data.customerId, customerEmail: decryptNullable(cipher, data.customerEmailSealed, SEALED_EMAIL), reason: data.reason }),
    ),
  ];
}
