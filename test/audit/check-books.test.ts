import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBooks, type Books } from '../../scripts/money-audit/check-books.ts';

const ORDER = '11111111-1111-4111-8111-111111111111';
const PAID = 'pay-1';

/** One completed card order (2 × 1000) with a 500 refund, agreeing in every book. */
function agreeing(): Books {
  return {
    orders: [{ id: ORDER, status: 'COMPLETED', amountMinor: 2000, currency: 'EUR' }],
    products: [{ id: 'prod', available: 8, reserved: 0, sold: 2, received: 10 }],
    reservations: [{ orderId: ORDER, productId: 'prod', quantity: 2, status: 'COMMITTED' }],
    payments: [{ id: PAID, orderId: ORDER, kind: 'ORDER', method: 'CARD', status: 'PARTIALLY_REFUNDED', amountMinor: 2000, refundedMinor: 500, currency: 'EUR', chargeId: 'ch_1' }],
    refunds: [{ id: 'ref-1', paymentId: PAID, status: 'SUCCEEDED', amountMinor: 500 }],
    gatewayCharges: [{ id: 'ch_1', idempotencyKey: `charge:${ORDER}`, status: 'succeeded', amountMinor: 2000, refundedMinor: 500, currency: 'EUR' }],
    gatewayRefunds: [{ id: 're_1', chargeId: 'ch_1', amountMinor: 500 }],
    ledger: new Map([[`charge:${PAID}`, 2000], ['refund:ref-1', 500]]),
  };
}

const rules = (books: Books) => checkBooks(books).map((breach) => breach.rule);

describe('the money audit', () => {
  it('when every book agrees, then there is no breach', () => {
    assert.deepEqual(checkBooks(agreeing()), []);
  });

  it('when an order is still in flight, then it is a breach', () => {
    const books = agreeing();
    books.orders[0]!.status = 'INVENTORY_RESERVED';
    assert.ok(rules(books).includes('every order final'));
  });

  it('when stock was made or lost, or counters disagree with reservations, then each is named', () => {
    const books = agreeing();
    books.products[0]!.available = 9;
    assert.deepEqual(rules(books), ['stock conserved']);
    books.products[0] = { id: 'prod', available: 7, reserved: 1, sold: 2, received: 10 };
    assert.deepEqual(rules(books), ['reserved stock equals held reservations']);
  });

  it('when the gateway charged twice, or kept money it refunded us less of, then it is a breach', () => {
    const books = agreeing();
    books.gatewayCharges.push({ id: 'ch_2', idempotencyKey: 'charge:again', status: 'succeeded', amountMinor: 2000, refundedMinor: 0, currency: 'EUR' });
    assert.deepEqual(rules(books), ['every kept gateway charge is a payment of ours']);
    books.gatewayCharges[1]!.refundedMinor = 2000;
    books.gatewayRefunds.push({ id: 're_2', chargeId: 'ch_2', amountMinor: 2000 });
    assert.deepEqual(rules(books), [], 'a stray charge given back in full is settled');
  });

  it('when a refund exceeds the capture or the ledger misses a transfer, then each is named', () => {
    const over = agreeing();
    over.payments[0]!.refundedMinor = 2500;
    assert.ok(rules(over).includes('refunds within the capture'));
    const missing = agreeing();
    missing.ledger = new Map([[`charge:${PAID}`, 2000]]);
    assert.deepEqual(rules(missing), ['a refund is journaled at its amount']);
    missing.ledger = new Map([['refund:ref-1', 500]]);
    assert.deepEqual(rules(missing), ['a capture is journaled at its amount']);
  });

  it('when a cancelled order kept its stock or its money, then it is a breach', () => {
    const books = agreeing();
    books.orders[0]!.status = 'CANCELLED';
    assert.deepEqual(rules(books), ['a cancelled order holds no stock', 'a cancelled order is given back in full']);
  });
});
