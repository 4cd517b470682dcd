/** In-memory ports for the payment use cases: these tests check decisions, not storage. */
import type { NewEvent } from '@platform/shared/envelope';
import type { GatewayAnswer, Payment, PaymentGateway, PaymentServices, PaymentStore, Refund } from '../../src/domain/ports.ts';

export const ORDER = '6f0b8a4e-1d1c-4a57-9a3a-2d2b3f1e0c11';
export const NOW = new Date('2026-11-23T12:00:00Z');

export function inMemoryPayments(options: { earlier: GatewayAnswer | null; answer?: GatewayAnswer | Error; holdExpiresAt: Date }) {
  const payment: Payment = { id: 'a6d1f7a2-6d0e-4a35-9c61-3a4f4b0e2b10', orderId: ORDER, kind: 'ORDER', customerId: null, merchantId: null, method: 'CARD', methodSummary: null, amountMinor: 1000n, refundedMinor: 0n, currency: 'EUR', status: 'INITIATED', failureReason: null, chargeId: null, holdExpiresAt: options.holdExpiresAt, attempts: 0, trace: { causeEventId: null, correlationId: null, traceparent: null } };
  const published: NewEvent[] = [];
  const charges: string[] = [];
  const scheduled: Date[] = [];
  const refunds = new Map<string, Refund>();
  const gateway: PaymentGateway = {
    findCharge: async () => options.earlier,
    charge: async ({ idempotencyKey }) => {
      charges.push(idempotencyKey);
      if (options.answer instanceof Error) throw options.answer;
      return options.answer ?? { status: 'succeeded', chargeId: 'ch_new' };
    },
    refund: async () => ({ refundId: 're_1' }),
  };
  const store: PaymentStore = {
    saveIntent: async () => undefined,
    findIntent: async (orderId) => ({ orderId, method: 'CARD', cardToken: 'tok_visa', upiVpa: null, customerId: null, merchantId: null }),
    eraseIntentSecrets: async () => undefined,
    findPayment: async () => payment,
    findPaymentById: async () => ({ ...payment }),
    insertPayment: async () => true,
    transition: async (_id, from, to, change) => {
      if (!from.includes(payment.status)) return false;
      payment.status = to;
      if (change.chargeId) payment.chargeId = change.chargeId;
      if (change.failureReason !== undefined) payment.failureReason = change.failureReason;
      return true;
    },
    setMethodSummary: async (_id, summary) => void (payment.methodSummary = summary),
    scheduleAttempt: async (_id, at) => void scheduled.push(at),
    recordGatewayCall: async () => undefined,
    rememberWebhookEvent: async () => true,
    refundsHeld: async () => [...refunds.values()].filter((refund) => refund.status !== 'FAILED').reduce((sum, refund) => sum + refund.amountMinor, 0n),
    insertRefund: async (refund) => void refunds.set(refund.id, refund),
    findRefund: async (id) => refunds.get(id) ?? null,
    settleRefund: async () => true,
    scheduleRefund: async () => undefined,
    addRefunded: async () => 'PARTIALLY_REFUNDED',
  };
  const services: PaymentServices = {
    read: (work) => work(store),
    transaction: (work) => work({ store, publish: async (events) => void published.push(...events) }),
    settle: async (_payment, settlement, summary) => {
      if (!(await store.transition(payment.id, settlement.from, settlement.to, settlement.change))) return false;
      payment.methodSummary = summary;
      published.push(...settlement.events);
      return true;
    },
    gatewayFor: () => gateway,
    methodFor: async () => ({ method: { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2030 }, summary: 'visa •••• 4242' }),
    timing: { retryDelayMs: () => 1_000, pendingPollMs: 30_000, pendingGiveUpMs: 600_000 },
    now: () => NOW,
  };
  return { services, payment, published, charges, scheduled, refunds };
}
