import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.ts';
import { asUnavailableWhenSaturated } from '../../src/dependency-outage.ts';

describe('database saturation', () => {
  it('when a transaction cannot start because the pool or database is saturated, then it is "unavailable" (503, retried), not a bug', () => {
    for (const error of [new Error('Unknown transaction status.'), Object.assign(new Error('Transaction API error'), { code: 'P2028' }), Object.assign(new Error('pool'), { code: 'P2024' })]) {
      assert.throws(() => asUnavailableWhenSaturated(error), (thrown: unknown) => thrown instanceof AppError && thrown.kind === 'unavailable');
    }
  });

  it('when anything else fails, then the error passes through unchanged', () => {
    const bug = new TypeError('x is undefined');
    assert.throws(() => asUnavailableWhenSaturated(bug), (thrown: unknown) => thrown === bug);
    const conflict = new AppError('conflict', 'taken');
    assert.throws(() => asUnavailableWhenSaturated(conflict), (thrown: unknown) => thrown === conflict);
  });
});
