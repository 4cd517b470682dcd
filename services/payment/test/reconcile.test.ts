import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcile, type ReconciliationInput } from '../src/domain/reconcile.ts';

const ORDER = '11111111-1111-4111-8111-111111111111';
const PAYMENT = '22222222-2222-4222-8222-222222222222';

/** One paid, completed order on which all three books agree. */
function agreeing(): ReconciliationInput {
  return {
    gateway: { charges: [{ id: 'ch_1', idempotencyKey: `charge:${ORDER}`, amountMinor: 1000, currency: 'EUR' }], refunds: [] },
    payments: [{ paymentId: PAYMENT, orderId: ORDER, kind: 'ORDER', method: 'CARD', status: 'SUCCEEDED', amountMinor: 1000, currency: 'EUR', chargeId: 'ch_1', customerId: null, merchantId: null }],
    refunds: [],
    ledger: new Map([[`charge:${PAYMENT}`, 1000]]),
    orders: new Map([[ORDER, 'COMPLETED']]),
  };
}

const kinds = (input: ReconciliationInput) => reconcile(input).map((mismatch) => [mismatch.kind, mismatch.repair]);

describe('three-way reconciliation', () => {
  it('when gateway, payments, ledger and orders agree, then there is nothing to report', () => {
    assert.deepEqual(reconcile(agreeing()), []);
  });

  it('when the gateway holds a charge no payment of ours made, then it is to be refunded — and not again once the gateway shows the refund', () => {
    const input = agreeing();
    input.gateway.charges.push({ id: 'ch_stray', idempotencyKey: 'direct-at-the-gateway', amountMinor: 700, currency: 'EUR' });
    assert.deepEqual(kinds(input), [['gateway-charge-without-payment', 'refund-gateway-charge']]);
    input.gateway.refunds.push({ id: 're_stray', chargeId: 'ch_stray', idempotencyKey: 'reconcile:ch_stray', amountMinor: 700, currency: 'EUR' });
    assert.deepEqual(reconcile(input), [], 'a second run repairs nothing twice');
  });

  it('when a captured payment has no ledger transfer, then its event is to be re-emitted; a wrong amount is only reported', () => {
    const missing = agreeing();
    missing.ledger = new Map();
    assert.deepEqual(kinds(missing), [['captured-without-ledger-transfer', 're-emit-payment-succeeded']]);
    const wrong = agreeing();
    wrong.ledger = new Map([[`charge:${PAYMENT}`, 999]]);
    assert.deepEqual(kinds(wrong), [['amount-differs', null]]);
  });

  it('when a cancelled order still carries a net charge, then it is to be refunded; once refunded in full, nothing', () => {
    const input = agreeing();
    input.orders = new Map([[ORDER, 'CANCELLED']]);
    assert.deepEqual(kinds(input), [['cancelled-order-with-net-charge', 'refund-cancelled-order']]);
    input.refunds.push({ refundId: '33333333-3333-4333-8333-333333333333', paymentId: PAYMENT, status: 'SUCCEEDED', amountMinor: 1000, gatewayRefundId: 're_1' });
    input.gateway.refunds.push({ id: 're_1', chargeId: 'ch_1', idempotencyKey: 'refund:3333', amountMinor: 1000, currency: 'EUR' });
    input.ledger = new Map([[`charge:${PAYMENT}`, 1000], ['refund:33333333-3333-4333-8333-333333333333', 1000]]);
    assert.deepEqual(reconcile(input), []);
  });

  it('when a completed order has no captured payment, or the gateway refunded what we never asked, then a person must look (no repair)', () => {
    const input = agreeing();
    input.orders = new Map([[ORDER, 'COMPLETED'], ['44444444-4444-4444-8444-444444444444', 'COMPLETED']]);
    input.gateway.refunds.push({ id: 're_unknown', chargeId: 'ch_1', idempotencyKey: 'someone-else', amountMinor: 10, currency: 'EUR' });
    assert.deepEqual(kinds(input), [['completed-order-without-capture', null], ['gateway-refund-without-ours', null]]);
  });

  it('when the gateway took more than we asked, then the difference is parked in suspense once; a refund nobody asked for likewise', () => {
    const input = agreeing();
    input.gateway.charges[0]!.amountMinor = 1300;
    input.gateway.refunds.push({ id: 're_unknown', chargeId: 'ch_1', idempotencyKey: 'someone-else', amountMinor: 10, currency: 'EUR' });
    const parked = reconcile(input).map((mismatch) => mismatch.suspense);
    assert.deepEqual(parked, [
      { transferId: 'suspense:amount:ch_1', gatewayHolds: 'more', amountMinor: 300, currency: 'EUR', journaled: false },
      { transferId: 'suspense:refund:re_unknown', gatewayHolds: 'less', amountMinor: 10, currency: 'EUR', journaled: false },
    ]);
    input.ledger = new Map([...input.ledger, ['suspense:amount:ch_1', 300], ['suspense:refund:re_unknown', 10]]);
    assert.deepEqual(reconcile(input).map((mismatch) => mismatch.suspense?.journaled), [true, true], 'a second run sees them parked already');
  });

  it('when a cancelled order has a refund on its way, then nothing more is asked', () => {
    const input = agreeing();
    input.orders = new Map([[ORDER, 'CANCELLED']]);
    input.refunds.push({ refundId: '55555555-5555-4555-8555-555555555555', paymentId: PAYMENT, status: 'PENDING', amountMinor: 1000, gatewayRefundId: null });
    assert.deepEqual(reconcile(input), []);
  });

  it('when the gateway holds a charge our payment has not recorded yet, then it is left to the payment (never refunded from here); for a failed payment it is refunded', () => {
    const input = agreeing();
    input.payments[0]!.status = 'INITIATED';
    input.payments[0]!.chargeId = null;
    input.orders = new Map();
    assert.deepEqual(reconcile(input), []);
    input.payments[0]!.status = 'FAILED';
    assert.deepEqual(kinds(input), [['gateway-charge-without-payment', 'refund-gateway-charge']]);
  });
});
