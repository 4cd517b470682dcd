import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewEvent } from '@platform/shared/envelope';
import { chargeForReservation } from '../src/domain/charge-for-reservation.ts';
import type { CardGateway, ChargeResult, Payment, PaymentContext } from '../src/domain/ports.ts';

const ORDER = '6f0b8a4e-1d1c-4a57-9a3a-2d2b3f1e0c11';

/** In-memory ports: this tests the use case's decisions, not storage. */
function harness(earlierCharge: ChargeResult | null) {
  const payments: Payment[] = [];
  const published: NewEvent[] = [];
  const charges: string[] = [];
  const gateway: CardGateway = {
    findCharge: async () => earlierCharge,
    charge: async ({ idempotencyKey }) => {
      charges.push(idempotencyKey);
      return { outcome: 'succeeded', chargeId: 'ch_new' };
    },
    refund: async () => ({ refundId: 're_1' }),
  };
  const context: PaymentContext = {
    gateway,
    now: () => new Date('2026-11-23T12:00:00Z'),
    publish: async (events) => void published.push(...events),
    store: {
      saveIntent: async () => undefined,
      findIntent: async (orderId) => ({ orderId, cardToken: 'tok_visa', customerId: null, merchantId: null }),
      eraseCardToken: async () => undefined,
      findPayment: async () => null,
      insertPayment: async (payment) => void payments.push(payment),
      markRefunded: async () => true,
    },
  };
  return { context, payments, published, charges };
}

const expiredHold = { orderId: ORDER, amountMinor: 1000, currency: 'EUR', holdExpiresAt: new Date('2026-11-23T11:59:00Z') };

describe('charging for a reservation', () => {
  it('when an earlier attempt charged the card but did not commit and the hold has since expired, then the charge is recorded (so it gets refunded)', async () => {
    const { context, payments, published, charges } = harness({ outcome: 'succeeded', chargeId: 'ch_earlier' });
    await chargeForReservation(context, expiredHold);
    assert.deepEqual(charges, [], 'no second charge');
    assert.equal(payments[0]?.status, 'SUCCEEDED');
    assert.equal(payments[0]?.chargeId, 'ch_earlier');
    assert.equal(published[0]?.definition.type, 'payment.succeeded.v1');
  });

  it('when the hold has expired and the card was never charged, then nothing is charged and the payment fails', async () => {
    const { context, payments, published, charges } = harness(null);
    await chargeForReservation(context, expiredHold);
    assert.deepEqual(charges, []);
    assert.equal(payments[0]?.failureReason, 'reservation_expired');
    assert.equal(published[0]?.definition.type, 'payment.failed.v1');
  });

  it('when the hold is live, then the card is charged once, keyed by the order', async () => {
    const { context, payments, charges } = harness(null);
    await chargeForReservation(context, { ...expiredHold, holdExpiresAt: new Date('2026-11-23T12:10:00Z') });
    assert.deepEqual(charges, [`charge:${ORDER}`]);
    assert.equal(payments[0]?.status, 'SUCCEEDED');
  });
});
