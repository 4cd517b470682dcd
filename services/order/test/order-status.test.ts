import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canAdvance, ORDER_STATUSES } from '../src/domain/order-status.ts';

describe('order status', () => {
  it('when events arrive in order, then each moves the order forward', () => {
    assert.ok(canAdvance('CREATED', 'INVENTORY_RESERVED'));
    assert.ok(canAdvance('INVENTORY_RESERVED', 'PAYMENT_SUCCESS'));
    assert.ok(canAdvance('PAYMENT_SUCCESS', 'COMPLETED'));
  });

  it('when a late or repeated event arrives, then the order never moves back or out of a final state', () => {
    assert.equal(canAdvance('PAYMENT_SUCCESS', 'INVENTORY_RESERVED'), false);
    assert.equal(canAdvance('INVENTORY_RESERVED', 'INVENTORY_RESERVED'), false);
    for (const target of ORDER_STATUSES) {
      assert.equal(canAdvance('COMPLETED', target), false, `COMPLETED → ${target}`);
      assert.equal(canAdvance('CANCELLED', target), false, `CANCELLED → ${target}`);
    }
  });

  it('when a step is skipped (events out of order), then the order may jump ahead, and any open order may be cancelled', () => {
    assert.ok(canAdvance('CREATED', 'COMPLETED'));
    for (const open of ['CREATED', 'INVENTORY_RESERVED', 'PAYMENT_SUCCESS'] as const) assert.ok(canAdvance(open, 'CANCELLED'));
  });
});
