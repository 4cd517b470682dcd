/**
 * The payment use cases' services over this service's database: transactions that count the
 * payments they settle once committed, reads outside any transaction, and the one-statement
 * settlement. The gateways, the methods and the timing come from the caller (main, or a test).
 */
import type { Cause } from '@platform/shared/envelope';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { envelopesOf, outboxPublisher } from '@platform/shared/outbox/write-events';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import type { PaymentServices, PaymentUnitOfWork, Trace } from '../domain/ports.ts';
import { paymentStore } from './payment-store.ts';
import { settleInOneStatement } from './settle-statement.ts';

const SOURCE = '/services/payment';

type Finished = NonNullable<PaymentUnitOfWork['finished']>;

export interface PaymentDatabase {
  /** Statements outside a transaction (each commits by itself). */
  db: SqlTransaction;
  transaction: <R>(work: (tx: SqlTransaction) => Promise<R>) => Promise<R>;
}

export function sqlPaymentServices(database: PaymentDatabase, cipher: FieldCipher, finished: Finished, rest: Pick<PaymentServices, 'gatewayFor' | 'methodFor' | 'timing' | 'now'>): PaymentServices {
  return {
    read: (work) => work(paymentStore(database.db, cipher)),
    transaction: async (work, trace) => {
      const outcomes: Array<Parameters<Finished>> = [];
      const result = await database.transaction((tx) => work({ store: paymentStore(tx, cipher), publish: outboxPublisher(tx, { source: SOURCE, ...publishingOptions(trace) }), finished: (...outcome) => outcomes.push(outcome) }));
      for (const outcome of outcomes) finished(...outcome); // committed
      return result;
    },
    settle: async (payment, settlement, methodSummary) => {
      const envelopes = envelopesOf({ source: SOURCE, ...publishingOptions(payment.trace) })(settlement.events);
      const moved = await settleInOneStatement(database.db, payment, settlement, methodSummary, envelopes);
      if (moved && settlement.ended) finished(payment.kind, payment.method, settlement.ended); // committed
      return moved;
    },
    ...rest,
  };
}

/** Outcome events answer the event (or request) that started the payment or refund. */
function publishingOptions(trace: Trace | undefined): { cause?: Cause; correlationId?: string } {
  if (trace?.causeEventId && trace.correlationId) return { cause: { id: trace.causeEventId, correlationid: trace.correlationId, traceparent: trace.traceparent ?? '' } };
  return trace?.correlationId ? { correlationId: trace.correlationId } : {};
}
