import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { PaymentRefunded, PaymentSucceeded } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { ledgerStore } from '../data-access/ledger-store.ts';
import { recordEntry, type RecordEntryCommand } from '../domain/record-entry.ts';

const record = (handler: HandlerContext<Tx>, command: RecordEntryCommand) => recordEntry({ store: ledgerStore(handler.tx), publish: handler.publish }, command);

export const ledgerHandlers = [
  on<typeof PaymentSucceeded, Tx>(PaymentSucceeded, (data, handler) => record(handler, { orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, kind: 'charge', amountMinor: data.amountMinor, currency: data.currency })),
  on<typeof PaymentRefunded, Tx>(PaymentRefunded, (data, handler) => record(handler, { orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, kind: 'refund', amountMinor: data.amountMinor, currency: data.currency })),
];
