import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feeFor, splitRefund } from '../src/domain/fees.ts';
import { assertBalanced, credit, debit } from '../src/domain/transfers.ts';

describe('fees and refunds', () => {
  const schedule = { bps: 290, fixedMinor: 30n };

  it('when a charge is made, then the fee is basis points (rounded down) plus the fixed part, never above the amount', () => {
    assert.equal(feeFor(10_000n, schedule), 320n);
    assert.equal(feeFor(999n, schedule), 58n); // 28.97 → 28, + 30
    assert.equal(feeFor(10n, schedule), 10n);
  });

  it('when a charge is refunded in any number of parts, then exactly the fee comes back over all of them, never more at any point', () => {
    for (const amount of [1n, 7n, 999n, 10_000n, 123_457n]) {
      const fee = feeFor(amount, schedule);
      for (const parts of [1, 2, 3, 7]) {
        let refunded = 0n;
        let feeBack = 0n;
        for (let part = 0; part < parts; part++) {
          const refund = part === parts - 1 ? amount - refunded : amount / BigInt(parts);
          if (refund === 0n) continue;
          const split = splitRefund({ amount, fee }, refunded, refund);
          assert.equal(split.fromMerchant + split.fromFees, refund, 'each refund is split without remainder');
          assert.ok(split.fromFees >= 0n && split.fromMerchant >= 0n);
          refunded += refund;
          feeBack += split.fromFees;
          assert.ok(feeBack * amount <= fee * refunded, 'never more than the proportional share of the fee');
        }
        assert.equal(feeBack, fee, `${amount} in ${parts} parts: the whole fee back`);
      }
    }
  });

  it('when refunds would exceed the charge, then the refund is refused', () => {
    assert.throws(() => splitRefund({ amount: 100n, fee: 3n }, 90n, 11n), /exceed the charge/);
  });

  it('when postings do not sum to zero in each currency, then the transfer is refused', () => {
    assert.doesNotThrow(() => assertBalanced([debit('a', 'EUR', 5n), credit('b', 'EUR', 3n), credit('c', 'EUR', 2n)]));
    assert.throws(() => assertBalanced([debit('a', 'EUR', 5n), credit('b', 'EUR', 4n)]), /EUR debits exceed credits by 1/);
    assert.throws(() => assertBalanced([debit('a', 'EUR', 5n), credit('b', 'USD', 5n)]), /does not balance/);
    assert.throws(() => assertBalanced([debit('a', 'EUR', 5n)]), /at least two/);
    assert.throws(() => assertBalanced([{ accountId: 'a', currency: 'EUR', debitMinor: 5n, creditMinor: 5n }, credit('b', 'EUR', 0n)]), /positive amount/);
  });
});
